// Tiled GEMM, strided and batched: C[z] = epilogue(alpha · norm(A[z]) · op(B[z])).
// Behind linear (prefill) and its fused forms, linearTransposed, matmul, headResult,
// attentionScores and attentionMix. math.wgsl and gemm_epilogue.wgsl are prepended.
//
//   A      f32 [M, K], rows lda apart. NORM: each row is LayerNorm/RMSNorm-ed as it is loaded
//          ((x − mean) / √(var + eps) · w + b, or x / √(mean(x²) + eps) · w), with the row
//          statistics computed by the workgroup first (two passes over its rows of A).
//   op(B)  B_TRANSPOSED: B [N, K] rows ldb apart, used as Bᵀ (nn.Linear weights, keys);
//          else B [K, N] rows ldb apart. The storage kind is decoded on load (B_KIND, see
//          "weight decoding"); accumulation is always f32.
//   C      f32 [M, N], rows ldc apart.
//   batch  z = outer · batch_inner + inner; each operand starts at
//          X_offset + outer · X_outer + inner · X_inner, B with inner / b_group (grouped-query
//          attention: b_group query heads share one kv head).
//   SPLIT  split-K: z is the part, covering K elements [z·k_part, (z+1)·k_part); the raw sums
//          go to C + z·c_outer and gemm_reduce.wgsl adds the parts and runs the epilogue.
//
// Work split. A workgroup computes TILE_M × TILE_N = 4·WG_Y × 8·WG_X outputs. Thread (tx, ty)
// owns a contiguous 4 × 8 block: rows 4·ty .. 4·ty+3, and two runs of 4 columns, 4·tx .. and
// TILE_N/2 + 4·tx .. (two runs rather than 8 in a row so that neighbouring threads read
// neighbouring vec4s of the B tile: no bank conflicts). Per k it reads one vec4 of A and two of
// B from workgroup memory for 32 FMAs.
//
// Shared layout. Both tiles are k-major, TILE_K rows of vec4s, each row padded by one vec4
// (A_STRIDE = TILE_M/4 + 1). Transposing loads (A, and B [N, K]) fetch 4 consecutive k of one
// row as a vec4; 16 consecutive threads take 16 consecutive rows and the next 16 the next k
// quad, so two threads read one 32-byte sector in global memory and a warp's 128 scalar stores
// into the tile hit 32 distinct banks (row offsets 0..15, plus 0 or 16 for the k quad: the
// padded row of TILE_M + 4 words puts 4 rows 16 words apart mod 32, TILE_M a multiple of 16).
//
// Pipelining. The next K tile is fetched from global memory into registers while the current
// one is multiplied; STAGES = 2 keeps two shared tiles (one barrier per K step), STAGES = 1
// one (two barriers) when workgroup memory is short.

const THREAD_M: u32 = 4u;
const MAX_LOADS: u32 = 16u;

override WG_X: u32 = 8u; // threads along N, a multiple of 4
override WG_Y: u32 = 16u; // threads along M, a multiple of 4
override TILE_K: u32 = 32u; // a multiple of 4; TILE_K % WG_X == 0, 2·TILE_K % WG_Y == 0
override STAGES: u32 = 1u;
override B_TRANSPOSED: bool = true;
override B_KIND: u32 = 0u; // 0 f32, 1 f16, 2 bf16
override A_VEC4: bool = false;
override B_VEC4: bool = false;
override NORM: u32 = 0u; // 0 none, 1 LayerNorm, 2 RMSNorm
override NORM_BIAS: bool = false;
override SPLIT: bool = false;

override THREADS: u32 = WG_X * WG_Y;
override TILE_M: u32 = WG_Y * THREAD_M;
override TILE_N: u32 = WG_X * 8u;
override KQ: u32 = TILE_K / 4u;
override A_STRIDE: u32 = TILE_M / 4u + 1u;
override B_STRIDE: u32 = TILE_N / 4u + 1u;
override A_LOADS: u32 = TILE_M * KQ / THREADS;
override B_LOADS: u32 = TILE_N * KQ / THREADS;
override LANES: u32 = THREADS / TILE_M; // threads per row for the norm statistics

struct Params {
  m: u32,
  n: u32,
  k: u32,
  lda: u32,
  ldb: u32,
  ldc: u32,
  a_offset: u32,
  b_offset: u32,
  c_offset: u32,
  batch_inner: u32,
  b_group: u32,
  a_outer: u32,
  a_inner: u32,
  b_outer: u32,
  b_inner: u32,
  c_outer: u32,
  c_inner: u32,
  alpha: f32,
  bias_offset: u32,
  query_offset: u32, // EXTRA 1: query row i sits at key index query_offset + i
  key_len: u32,      // EXTRA 1: row length of the key validity ([outer, key_len])
  neg_inf: f32,      // EXTRA 1: the masked value (WGSL has no inf literal)
  k_part: u32,       // SPLIT: K elements per part, a multiple of TILE_K
  norm_eps: f32,     // NORM
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> norm_w: array<f32>;
@group(0) @binding(5) var<storage, read> norm_b: array<f32>;
@group(0) @binding(6) var<storage, read> extra: array<u32>;
@group(0) @binding(7) var<storage, read_write> c: array<f32>;

var<workgroup> a_tile: array<vec4<f32>, STAGES * TILE_K * A_STRIDE>;
var<workgroup> b_tile: array<vec4<f32>, STAGES * TILE_K * B_STRIDE>;
var<workgroup> row_mean: array<f32, TILE_M>;
var<workgroup> row_scale: array<f32, TILE_M>;
var<workgroup> partial: array<f32, THREADS>;

fn a_at(e: u32) -> f32 {
  return a[e >> 2u][e & 3u];
}

// --- weight decoding -------------------------------------------------------------------------
// B's storage kinds. A new kind (a quantised format) adds a B_KIND value, a case in b_at and
// b_quad (4 consecutive elements from an index that is a multiple of 4) and its ELEMENT_KIND on
// the host; nothing else in the kernel reads B. Kinds 3+ are ggml blocks (blocks.wgsl).

fn block_word(i: u32) -> u32 {
  return b[i >> 2u][i & 3u];
}

fn decode_pair(word: u32) -> vec2<f32> {
  if (B_KIND == 1u) {
    return unpack2x16float(word);
  }
  return vec2<f32>(bitcast<f32>(word << 16u), bitcast<f32>(word & 0xffff0000u));
}

fn b_at(e: u32) -> f32 {
  if (B_KIND == 0u) {
    return bitcast<f32>(b[e >> 2u][e & 3u]);
  }
  if (B_KIND >= 3u) {
    return block_value(B_KIND, e);
  }
  return decode_pair(b[e >> 3u][(e >> 1u) & 3u])[e & 1u];
}

fn b_quad(e: u32) -> vec4<f32> {
  if (B_KIND == 0u) {
    return bitcast<vec4<f32>>(b[e >> 2u]);
  }
  if (B_KIND >= 3u) {
    return vec4<f32>(block_value(B_KIND, e), block_value(B_KIND, e + 1u), block_value(B_KIND, e + 2u), block_value(B_KIND, e + 3u));
  }
  let words = b[e >> 3u];
  let pair = select(words.xy, words.zw, (e & 4u) != 0u);
  return vec4<f32>(decode_pair(pair.x), decode_pair(pair.y));
}

// --- norm prologue -----------------------------------------------------------------------------

// Mean (LayerNorm) and divisor of each of the tile's rows of A, LANES threads per row.
fn row_stats(base: u32, m0: u32, t: u32) {
  let r = t / LANES;
  let lane = t % LANES;
  let row = m0 + r;
  let start = base + row * params.lda;
  var s = 0.0;
  if (NORM == 1u && row < params.m) {
    for (var k = lane; k < params.k; k += LANES) {
      s += a_at(start + k);
    }
  }
  partial[t] = s;
  workgroupBarrier();
  if (lane == 0u) {
    var total = 0.0;
    for (var j = 0u; j < LANES; j++) {
      total += partial[t + j];
    }
    row_mean[r] = total / f32(params.k);
  }
  workgroupBarrier();
  var q = 0.0;
  if (row < params.m) {
    let mean = row_mean[r];
    for (var k = lane; k < params.k; k += LANES) {
      let d = a_at(start + k) - mean;
      q += d * d;
    }
  }
  partial[t] = q;
  workgroupBarrier();
  if (lane == 0u) {
    var total = 0.0;
    for (var j = 0u; j < LANES; j++) {
      total += partial[t + j];
    }
    row_scale[r] = sqrt(total / f32(params.k) + params.norm_eps);
  }
  workgroupBarrier();
}

// The same steps as normalize then mul (then add): (x − mean) / scale · w (+ b).
fn normalise(v: vec4<f32>, r: u32, k: u32, k_end: u32) -> vec4<f32> {
  var out = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (k + j < k_end) {
      var x = v[j];
      if (NORM == 1u) {
        x = x - row_mean[r];
      }
      x = x / row_scale[r] * norm_w[k + j];
      if (NORM_BIAS) {
        x = x + norm_b[k + j];
      }
      out[j] = x;
    }
  }
  return out;
}

// --- tile loads --------------------------------------------------------------------------------

// Load slot q of a transposing load: row and k quad (see "Shared layout").
fn slot_row(q: u32) -> u32 {
  return (q & 15u) + 16u * (q / (16u * KQ));
}

fn slot_quad(q: u32) -> u32 {
  return (q >> 4u) % KQ;
}

fn fetch_a(base: u32, m0: u32, k0: u32, k_end: u32, q: u32) -> vec4<f32> {
  let r = slot_row(q);
  let k = k0 + 4u * slot_quad(q);
  let row = m0 + r;
  var v = vec4<f32>(0.0);
  if (row < params.m) {
    let at = base + row * params.lda + k;
    if (A_VEC4) {
      if (k < k_end) {
        v = a[at >> 2u];
      }
    } else {
      for (var j = 0u; j < 4u; j++) {
        if (k + j < k_end) {
          v[j] = a_at(at + j);
        }
      }
    }
    if (NORM != 0u) {
      v = normalise(v, r, k, k_end);
    }
  }
  return v;
}

fn fetch_b(base: u32, n0: u32, k0: u32, k_end: u32, q: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  if (B_TRANSPOSED) {
    let col = n0 + slot_row(q);
    let k = k0 + 4u * slot_quad(q);
    if (col < params.n) {
      let at = base + col * params.ldb + k;
      if (B_VEC4) {
        if (k < k_end) {
          v = b_quad(at);
        }
      } else {
        for (var j = 0u; j < 4u; j++) {
          if (k + j < k_end) {
            v[j] = b_at(at + j);
          }
        }
      }
    }
  } else {
    let quads = TILE_N / 4u;
    let k = k0 + q / quads;
    let col = n0 + 4u * (q % quads);
    if (k < k_end) {
      let at = base + k * params.ldb + col;
      if (B_VEC4) {
        if (col < params.n) {
          v = b_quad(at);
        }
      } else {
        for (var j = 0u; j < 4u; j++) {
          if (col + j < params.n) {
            v[j] = b_at(at + j);
          }
        }
      }
    }
  }
  return v;
}

fn store_a(stage: u32, q: u32, v: vec4<f32>) {
  let r = slot_row(q);
  let at = stage * TILE_K * A_STRIDE + 4u * slot_quad(q) * A_STRIDE + r / 4u;
  for (var j = 0u; j < 4u; j++) {
    a_tile[at + j * A_STRIDE][r & 3u] = v[j];
  }
}

fn store_b(stage: u32, q: u32, v: vec4<f32>) {
  let base = stage * TILE_K * B_STRIDE;
  if (B_TRANSPOSED) {
    let r = slot_row(q);
    let at = base + 4u * slot_quad(q) * B_STRIDE + r / 4u;
    for (var j = 0u; j < 4u; j++) {
      b_tile[at + j * B_STRIDE][r & 3u] = v[j];
    }
  } else {
    let quads = TILE_N / 4u;
    b_tile[base + (q / quads) * B_STRIDE + q % quads] = v;
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let t = ty * WG_X + tx;
  var outer = 0u;
  var inner = 0u;
  var k_begin = 0u;
  var k_end = params.k;
  var c_base = params.c_offset;
  if (SPLIT) {
    k_begin = min(params.k, wid.z * params.k_part);
    k_end = min(params.k, k_begin + params.k_part);
    c_base += wid.z * params.c_outer;
  } else {
    outer = wid.z / params.batch_inner;
    inner = wid.z % params.batch_inner;
    c_base += outer * params.c_outer + inner * params.c_inner;
  }
  let a_base = params.a_offset + outer * params.a_outer + inner * params.a_inner;
  let b_base = params.b_offset + outer * params.b_outer + (inner / params.b_group) * params.b_inner;
  let m0 = wid.y * TILE_M;
  let n0 = wid.x * TILE_N;

  if (NORM != 0u) {
    row_stats(a_base, m0, t);
  }

  var acc: array<array<vec4<f32>, 2>, THREAD_M>;
  // Causal attention: a tile whose first key comes after its last query is entirely masked.
  let masked_tile = EXTRA == 1u && n0 > params.query_offset + min(m0 + TILE_M, params.m) - 1u;
  let tiles = select((k_end - k_begin + TILE_K - 1u) / TILE_K, 0u, masked_tile);
  var ra: array<vec4<f32>, MAX_LOADS>;
  var rb: array<vec4<f32>, MAX_LOADS>;
  if (tiles > 0u) {
    for (var s = 0u; s < A_LOADS; s++) {
      ra[s] = fetch_a(a_base, m0, k_begin, k_end, t + s * THREADS);
    }
    for (var s = 0u; s < B_LOADS; s++) {
      rb[s] = fetch_b(b_base, n0, k_begin, k_end, t + s * THREADS);
    }
    for (var s = 0u; s < A_LOADS; s++) {
      store_a(0u, t + s * THREADS, ra[s]);
    }
    for (var s = 0u; s < B_LOADS; s++) {
      store_b(0u, t + s * THREADS, rb[s]);
    }
  }
  workgroupBarrier();
  for (var i = 0u; i < tiles; i++) {
    let more = i + 1u < tiles;
    if (more) {
      let k0 = k_begin + (i + 1u) * TILE_K;
      for (var s = 0u; s < A_LOADS; s++) {
        ra[s] = fetch_a(a_base, m0, k0, k_end, t + s * THREADS);
      }
      for (var s = 0u; s < B_LOADS; s++) {
        rb[s] = fetch_b(b_base, n0, k0, k_end, t + s * THREADS);
      }
    }
    let sa = (i % STAGES) * TILE_K * A_STRIDE + ty;
    let sb = (i % STAGES) * TILE_K * B_STRIDE + tx;
    for (var kk = 0u; kk < TILE_K; kk++) {
      let av = a_tile[sa + kk * A_STRIDE];
      let b0 = b_tile[sb + kk * B_STRIDE];
      let b1 = b_tile[sb + kk * B_STRIDE + WG_X];
      for (var r = 0u; r < THREAD_M; r++) {
        let ar = vec4<f32>(av[r]);
        acc[r][0] = fma(ar, b0, acc[r][0]);
        acc[r][1] = fma(ar, b1, acc[r][1]);
      }
    }
    if (more) {
      if (STAGES == 1u) {
        workgroupBarrier();
      }
      let next = (i + 1u) % STAGES;
      for (var s = 0u; s < A_LOADS; s++) {
        store_a(next, t + s * THREADS, ra[s]);
      }
      for (var s = 0u; s < B_LOADS; s++) {
        store_b(next, t + s * THREADS, rb[s]);
      }
      workgroupBarrier();
    }
  }

  for (var r = 0u; r < THREAD_M; r++) {
    let row = m0 + THREAD_M * ty + r;
    if (row < params.m) {
      for (var g = 0u; g < 2u; g++) {
        let col0 = n0 + 4u * (tx + g * WG_X);
        for (var j = 0u; j < 4u; j++) {
          let col = col0 + j;
          if (col < params.n) {
            let at = c_base + row * params.ldc + col;
            if (SPLIT) {
              c[at] = acc[r][g][j];
            } else {
              c[at] = finish(acc[r][g][j], row, col, at, outer);
            }
          }
        }
      }
    }
  }
}
