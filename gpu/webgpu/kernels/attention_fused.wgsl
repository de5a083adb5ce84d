// Fused attention: z = softmax(scale · q·kᵀ, masked) · v in one pass over the keys, without
// writing the [batch, head, pos, kvPos] scores or pattern (online softmax: a running maximum and
// sum per query row; earlier partial outputs are rescaled when the maximum grows).
//
//   q [batch, pos, head, D]   k, v [batch, kv_pos, kv_head, D]   z [batch, pos, head, D]
//   query head h reads kv head h / group (grouped-query attention).
//   Query row i sits at key index query_offset + i and sees keys ≤ that (causal), that are
//   valid (KEY_VALID: [batch, kv_pos], 0 = padding), and with WINDOW > 0 only the last WINDOW
//   of them (sliding window). SOFTCAP > 0: scores become SOFTCAP·tanh(s / SOFTCAP) before the
//   mask. A row that sees no key gives z = 0, as softmax's all-−∞ rows do.
//
// A workgroup takes QB query rows of one (batch, head): it stages them, then walks the keys
// KT at a time (K tile, scores, row update, V tile in the same buffer), each thread owning
// PER_THREAD of the QB × D outputs. math.wgsl is prepended (tanh_stable).

const MAX_PER_THREAD: u32 = 16u;

override D: u32 = 64u; // dHead
override QB: u32 = 16u; // query rows per workgroup
override KT: u32 = 16u; // keys per staged tile
override WG: u32 = 128u;
override KEY_VALID: bool = false;
override SOFTCAP: f32 = 0.0;
override WINDOW: u32 = 0u;
override PER_THREAD: u32 = (QB * D + WG - 1u) / WG;
// Query and key rows padded by one word: the score loop's threads read one key row each (and
// one or two query rows), D + 1 words apart, so they land in different banks (D words apart
// would put them all in one).
override ROW_STRIDE: u32 = D + 1u;

struct Params {
  pos: u32,
  heads: u32,
  group: u32,
  kv_pos: u32,
  kv_heads: u32,
  scale: f32,
  query_offset: u32,
  neg_inf: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> key_valid: array<u32>;
@group(0) @binding(5) var<storage, read_write> z: array<f32>;

var<workgroup> q_tile: array<f32, QB * ROW_STRIDE>;
var<workgroup> kv_tile: array<f32, KT * ROW_STRIDE>;
var<workgroup> p_tile: array<f32, QB * KT>;
var<workgroup> row_max: array<f32, QB>;
var<workgroup> row_sum: array<f32, QB>;
var<workgroup> row_rescale: array<f32, QB>;

fn stage_keys(src_k: bool, b: u32, kvh: u32, key0: u32, t: u32) {
  for (var e = t; e < KT * D; e += WG) {
    let key = key0 + e / D;
    var x = 0.0;
    if (key < params.kv_pos) {
      let at = ((b * params.kv_pos + key) * params.kv_heads + kvh) * D + e % D;
      x = select(v[at], k[at], src_k);
    }
    kv_tile[(e / D) * ROW_STRIDE + e % D] = x;
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let t = lid.x;
  let q0 = wid.x * QB;
  let h = wid.y;
  let b = wid.z;
  let kvh = h / params.group;

  for (var e = t; e < QB * D; e += WG) {
    let row = q0 + e / D;
    var x = 0.0;
    if (row < params.pos) {
      x = q[((b * params.pos + row) * params.heads + h) * D + e % D];
    }
    q_tile[(e / D) * ROW_STRIDE + e % D] = x;
  }
  if (t < QB) {
    row_max[t] = params.neg_inf;
    row_sum[t] = 0.0;
  }
  var o: array<f32, MAX_PER_THREAD>;

  // Keys any row of this block can see: up to the last row's causal limit, from the first
  // row's window start.
  let last_row = min(q0 + QB, params.pos) - 1u;
  let key_end = min(params.kv_pos, params.query_offset + last_row + 1u);
  var key_begin = 0u;
  if (WINDOW > 0u && params.query_offset + q0 + 1u > WINDOW) {
    key_begin = params.query_offset + q0 + 1u - WINDOW;
  }
  key_begin = (key_begin / KT) * KT;
  workgroupBarrier();

  for (var key0 = key_begin; key0 < key_end; key0 += KT) {
    stage_keys(true, b, kvh, key0, t);
    workgroupBarrier();
    for (var e = t; e < QB * KT; e += WG) {
      let r = e / KT;
      let key = key0 + e % KT;
      let at = params.query_offset + q0 + r; // this row's key index
      var s = 0.0;
      for (var d = 0u; d < D; d++) {
        s = fma(q_tile[r * ROW_STRIDE + d], kv_tile[(e % KT) * ROW_STRIDE + d], s);
      }
      s = s * params.scale;
      if (SOFTCAP > 0.0) {
        s = SOFTCAP * tanh_stable(s / SOFTCAP);
      }
      var hidden = q0 + r >= params.pos || key >= params.kv_pos || key > at;
      if (KEY_VALID && key < params.kv_pos) {
        hidden = hidden || key_valid[b * params.kv_pos + key] == 0u;
      }
      if (WINDOW > 0u) {
        hidden = hidden || key + WINDOW <= at;
      }
      p_tile[e] = select(s, params.neg_inf, hidden);
    }
    workgroupBarrier();
    if (t < QB) {
      let old_max = row_max[t];
      var new_max = old_max;
      for (var j = 0u; j < KT; j++) {
        new_max = max(new_max, p_tile[t * KT + j]);
      }
      var sum = 0.0;
      var rescale = 1.0;
      if (new_max == params.neg_inf) {
        // Nothing visible yet: weights 0, outputs stay 0.
        for (var j = 0u; j < KT; j++) {
          p_tile[t * KT + j] = 0.0;
        }
      } else {
        rescale = exp(old_max - new_max); // old_max = −∞ → 0
        for (var j = 0u; j < KT; j++) {
          let p = exp(p_tile[t * KT + j] - new_max);
          p_tile[t * KT + j] = p;
          sum += p;
        }
      }
      row_max[t] = new_max;
      row_sum[t] = row_sum[t] * rescale + sum;
      row_rescale[t] = rescale;
    }
    workgroupBarrier();
    stage_keys(false, b, kvh, key0, t);
    workgroupBarrier();
    for (var i = 0u; i < PER_THREAD; i++) {
      let e = t + i * WG;
      if (e < QB * D) {
        let r = e / D;
        let d = e % D;
        var acc = o[i] * row_rescale[r];
        for (var j = 0u; j < KT; j++) {
          acc = fma(p_tile[r * KT + j], kv_tile[j * ROW_STRIDE + d], acc);
        }
        o[i] = acc;
      }
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < PER_THREAD; i++) {
    let e = t + i * WG;
    let row = q0 + e / D;
    if (e < QB * D && row < params.pos) {
      let sum = row_sum[e / D];
      z[((b * params.pos + row) * params.heads + h) * D + e % D] = select(0.0, o[i] / sum, sum > 0.0);
    }
  }
}
