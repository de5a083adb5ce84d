// Matrix-vector product for single-token decode: y[r, n] = Σ_k x[r, k] · W[n, k] (+ bias[n])
// for up to 4 rows r (the batch), W [N, K] as nn.Linear stores it, F32 or F16/BF16 packed.
// The op is memory-bound, so every weight is read exactly once: LANES threads share an output n
// and stride over k (with VEC4, consecutive lanes read consecutive 16-byte words: coalesced),
// apply the weight to all rows, then add their partials pairwise in workgroup memory.
// A workgroup covers WG / LANES outputs.

override WG: u32 = 256u;
override LANES: u32 = 32u; // power of two dividing WG
override W_KIND: u32 = 0u; // 0 f32, 1 f16, 2 bf16, 3+ ggml blocks (blocks.wgsl)
override VEC4: bool = false; // K a multiple of 4
override HAS_BIAS: bool = false;

struct Params {
  m: u32, // rows, ≤ 4 (one vec4 of sums per lane)
  n: u32,
  k: u32,
  ldc: u32,
  c_offset: u32,
  bias_offset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> w: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<vec4<f32>, WG>; // one lane's sums for rows 0..3

fn decode_pair(word: u32) -> vec2<f32> {
  if (W_KIND == 1u) {
    return unpack2x16float(word);
  }
  return vec2<f32>(bitcast<f32>(word << 16u), bitcast<f32>(word & 0xffff0000u));
}

fn block_word(i: u32) -> u32 {
  return w[i >> 2u][i & 3u];
}

fn w_at(e: u32) -> f32 {
  if (W_KIND == 0u) {
    return bitcast<f32>(w[e >> 2u][e & 3u]);
  }
  if (W_KIND >= 3u) {
    return block_value(W_KIND, e);
  }
  return decode_pair(w[e >> 3u][(e >> 1u) & 3u])[e & 1u];
}

fn w_quad(e: u32) -> vec4<f32> {
  if (W_KIND == 0u) {
    return bitcast<vec4<f32>>(w[e >> 2u]);
  }
  if (W_KIND >= 3u) {
    return vec4<f32>(block_value(W_KIND, e), block_value(W_KIND, e + 1u), block_value(W_KIND, e + 2u), block_value(W_KIND, e + 3u));
  }
  let words = w[e >> 3u];
  let pair = select(words.xy, words.zw, (e & 4u) != 0u);
  return vec4<f32>(decode_pair(pair.x), decode_pair(pair.y));
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) tid: u32, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let lane = tid % LANES;
  let n = (wid.x + wid.y * groups.x) * (WG / LANES) + tid / LANES;
  let k = params.k;
  var acc = vec4<f32>(0.0);
  if (n < params.n) {
    let row = n * k;
    if (VEC4) {
      for (var e = lane * 4u; e < k; e += LANES * 4u) {
        let wv = w_quad(row + e);
        for (var r = 0u; r < params.m; r++) {
          acc[r] += dot(x[(r * k + e) >> 2u], wv);
        }
      }
    } else {
      for (var e = lane; e < k; e += LANES) {
        let wv = w_at(row + e);
        for (var r = 0u; r < params.m; r++) {
          acc[r] += x[(r * k + e) >> 2u][(r * k + e) & 3u] * wv;
        }
      }
    }
  }
  partial[tid] = acc;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride >>= 1u) {
    if (lane < stride) {
      partial[tid] += partial[tid + stride];
    }
    workgroupBarrier();
  }
  if (lane == 0u && n < params.n) {
    let sums = partial[tid];
    for (var r = 0u; r < params.m; r++) {
      var v = sums[r];
      if (HAS_BIAS) {
        v += bias[params.bias_offset + n];
      }
      out[params.c_offset + r * params.ldc + n] = v;
    }
  }
}
