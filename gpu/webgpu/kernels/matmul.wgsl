// Tiled GEMM, strided and batched: C[z] = alpha · A[z] · op(B[z]), then an epilogue.
// Behind linear (prefill), linearTransposed, matmul, headResult, attentionScores, attentionMix.
//
//   A      f32 [M, K], rows lda apart.
//   op(B)  B_TRANSPOSED: B [N, K] rows ldb apart, used as Bᵀ (nn.Linear weights, keys);
//          else B [K, N] rows ldb apart. B may be F16/BF16 packed two per u32 (B_KIND), decoded
//          on load; accumulation is always f32.
//   C      f32 [M, N], rows ldc apart.
//   batch  z = outer · batch_inner + inner; each operand starts at
//          X_offset + outer · X_outer + inner · X_inner, B with inner / b_group (grouped-query
//          attention: b_group query heads share one kv head).
//
// A workgroup computes a TILE_M × TILE_N block of C (TILE_M = 4·WG_Y, TILE_N = 4·WG_X), staging
// TILE_K-deep slices of A and B in workgroup memory, k-major so the inner loop reads consecutive
// addresses across threads. Thread (tx, ty) owns rows ty + WG_Y·i and columns tx + WG_X·j
// (i, j < 4), so its loads from the tiles and its stores to C are coalesced along tx.
// A_VEC4 / B_VEC4: global loads as vec4 (the host sets them when strides, offsets and the
// contiguous extent are multiples of 4).

const THREAD_M: u32 = 4u;
const THREAD_N: u32 = 4u;

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override TILE_K: u32 = 16u; // multiple of 4
override B_TRANSPOSED: bool = true;
override B_KIND: u32 = 0u; // 0 f32, 1 f16, 2 bf16
override A_VEC4: bool = false;
override B_VEC4: bool = false;
override EPILOGUE: u32 = 0u; // 0 none, 1 + bias[n], 2 attention mask, 3 C += (K split in parts)
override KEY_VALID: bool = false; // EPILOGUE 2: padding mask present

override TILE_M: u32 = WG_Y * THREAD_M;
override TILE_N: u32 = WG_X * THREAD_N;

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
  bias_offset: u32,  // EPILOGUE 1
  query_offset: u32, // EPILOGUE 2: query row i sits at key index query_offset + i
  key_len: u32,      // EPILOGUE 2: row length of key_valid ([outer, key_len])
  neg_inf: f32,      // EPILOGUE 2: the masked value (WGSL has no inf literal)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> key_valid: array<u32>;
@group(0) @binding(5) var<storage, read_write> c: array<f32>;

var<workgroup> a_tile: array<f32, TILE_K * TILE_M>; // [k][m]
var<workgroup> b_tile: array<f32, TILE_K * TILE_N>; // [k][n]

fn a_at(e: u32) -> f32 {
  return a[e >> 2u][e & 3u];
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
  return decode_pair(b[e >> 3u][(e >> 1u) & 3u])[e & 1u];
}

// Four elements from e (a multiple of 4): one 16-byte word for f32, half of one for 16-bit.
fn b_quad(e: u32) -> vec4<f32> {
  if (B_KIND == 0u) {
    return bitcast<vec4<f32>>(b[e >> 2u]);
  }
  let words = b[e >> 3u];
  let pair = select(words.xy, words.zw, (e & 4u) != 0u);
  return vec4<f32>(decode_pair(pair.x), decode_pair(pair.y));
}

// A[m0.., k0..] → a_tile[k][m], zero outside [M, K].
fn load_a(base: u32, m0: u32, k0: u32, t: u32) {
  let threads = WG_X * WG_Y;
  if (A_VEC4) {
    let quads = TILE_K / 4u;
    for (var q = t; q < TILE_M * quads; q += threads) {
      let r = q / quads;
      let kk = (q % quads) * 4u;
      var v = vec4<f32>(0.0);
      if (m0 + r < params.m && k0 + kk < params.k) {
        v = a[(base + (m0 + r) * params.lda + k0 + kk) >> 2u];
      }
      a_tile[kk * TILE_M + r] = v.x;
      a_tile[(kk + 1u) * TILE_M + r] = v.y;
      a_tile[(kk + 2u) * TILE_M + r] = v.z;
      a_tile[(kk + 3u) * TILE_M + r] = v.w;
    }
  } else {
    for (var e = t; e < TILE_M * TILE_K; e += threads) {
      let r = e / TILE_K;
      let kk = e % TILE_K;
      var v = 0.0;
      if (m0 + r < params.m && k0 + kk < params.k) {
        v = a_at(base + (m0 + r) * params.lda + k0 + kk);
      }
      a_tile[kk * TILE_M + r] = v;
    }
  }
}

// op(B)[k0.., n0..] → b_tile[k][n], zero outside [K, N].
fn load_b(base: u32, n0: u32, k0: u32, t: u32) {
  let threads = WG_X * WG_Y;
  if (B_TRANSPOSED) {
    if (B_VEC4) {
      let quads = TILE_K / 4u;
      for (var q = t; q < TILE_N * quads; q += threads) {
        let r = q / quads;
        let kk = (q % quads) * 4u;
        var v = vec4<f32>(0.0);
        if (n0 + r < params.n && k0 + kk < params.k) {
          v = b_quad(base + (n0 + r) * params.ldb + k0 + kk);
        }
        b_tile[kk * TILE_N + r] = v.x;
        b_tile[(kk + 1u) * TILE_N + r] = v.y;
        b_tile[(kk + 2u) * TILE_N + r] = v.z;
        b_tile[(kk + 3u) * TILE_N + r] = v.w;
      }
    } else {
      for (var e = t; e < TILE_N * TILE_K; e += threads) {
        let r = e / TILE_K;
        let kk = e % TILE_K;
        var v = 0.0;
        if (n0 + r < params.n && k0 + kk < params.k) {
          v = b_at(base + (n0 + r) * params.ldb + k0 + kk);
        }
        b_tile[kk * TILE_N + r] = v;
      }
    }
  } else {
    if (B_VEC4) {
      let quads = TILE_N / 4u;
      for (var q = t; q < TILE_K * quads; q += threads) {
        let kk = q / quads;
        let nn = (q % quads) * 4u;
        var v = vec4<f32>(0.0);
        if (k0 + kk < params.k && n0 + nn < params.n) {
          v = b_quad(base + (k0 + kk) * params.ldb + n0 + nn);
        }
        let at = kk * TILE_N + nn;
        b_tile[at] = v.x;
        b_tile[at + 1u] = v.y;
        b_tile[at + 2u] = v.z;
        b_tile[at + 3u] = v.w;
      }
    } else {
      for (var e = t; e < TILE_K * TILE_N; e += threads) {
        let kk = e / TILE_N;
        let nn = e % TILE_N;
        var v = 0.0;
        if (k0 + kk < params.k && n0 + nn < params.n) {
          v = b_at(base + (k0 + kk) * params.ldb + n0 + nn);
        }
        b_tile[e] = v;
      }
    }
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let t = ty * WG_X + tx;
  let outer = wid.z / params.batch_inner;
  let inner = wid.z % params.batch_inner;
  let a_base = params.a_offset + outer * params.a_outer + inner * params.a_inner;
  let b_base = params.b_offset + outer * params.b_outer + (inner / params.b_group) * params.b_inner;
  let c_base = params.c_offset + outer * params.c_outer + inner * params.c_inner;
  let m0 = wid.y * TILE_M;
  let n0 = wid.x * TILE_N;

  var acc: array<array<f32, THREAD_N>, THREAD_M>;
  // Causal attention: a tile whose first key comes after its last query is entirely masked.
  let masked_tile = EPILOGUE == 2u && n0 > params.query_offset + min(m0 + TILE_M, params.m) - 1u;
  if (!masked_tile) {
    for (var k0 = 0u; k0 < params.k; k0 += TILE_K) {
      load_a(a_base, m0, k0, t);
      load_b(b_base, n0, k0, t);
      workgroupBarrier();
      for (var kk = 0u; kk < TILE_K; kk++) {
        var av: array<f32, THREAD_M>;
        var bv: array<f32, THREAD_N>;
        for (var i = 0u; i < THREAD_M; i++) {
          av[i] = a_tile[kk * TILE_M + ty + i * WG_Y];
        }
        for (var j = 0u; j < THREAD_N; j++) {
          bv[j] = b_tile[kk * TILE_N + tx + j * WG_X];
        }
        for (var i = 0u; i < THREAD_M; i++) {
          for (var j = 0u; j < THREAD_N; j++) {
            acc[i][j] = fma(av[i], bv[j], acc[i][j]);
          }
        }
      }
      workgroupBarrier();
    }
  }

  for (var i = 0u; i < THREAD_M; i++) {
    let row = m0 + ty + i * WG_Y;
    for (var j = 0u; j < THREAD_N; j++) {
      let col = n0 + tx + j * WG_X;
      if (row < params.m && col < params.n) {
        var v = acc[i][j] * params.alpha;
        if (EPILOGUE == 1u) {
          v += bias[params.bias_offset + col];
        } else if (EPILOGUE == 2u) {
          let causal = col > params.query_offset + row;
          let padding = KEY_VALID && key_valid[outer * params.key_len + col] == 0u;
          v = select(v, params.neg_inf, causal || padding);
        } else if (EPILOGUE == 3u) {
          v += c[c_base + row * params.ldc + col];
        }
        c[c_base + row * params.ldc + col] = v;
      }
    }
  }
}
