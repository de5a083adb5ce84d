// Attention-score epilogue for sliding windows and softcapping (Gemma-2, Mistral), on scores
// [batch, head, pos, kvPos] that already carry the causal/padding mask (−∞):
//   softcap c > 0: s → c·tanh(s/c) on unmasked entries (before the mask, as transformers does;
//                  masked entries stay −∞);
//   window w > 0:  query at key index a = query_offset + q sees key j only if j > a − w.
// Moved as bit patterns where nothing is computed, so −∞ stays exactly −∞.

override WG: u32 = 256u;

struct Params {
  count: u32,
  pos: u32,
  kv_pos: u32,
  query_offset: u32,
  window: u32, // 0: no window
  softcap: f32, // 0: no cap
  neg_inf: f32, // −∞ from the host (a WGSL constant cannot hold it)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> scores: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.count) {
    return;
  }
  let s = scores[i];
  let masked = bitcast<u32>(s) == bitcast<u32>(params.neg_inf);
  let j = i % params.kv_pos;
  let a = params.query_offset + (i / params.kv_pos) % params.pos;
  if (masked || (params.window > 0u && j + params.window <= a)) {
    out[i] = params.neg_inf;
  } else if (params.softcap > 0.0) {
    out[i] = params.softcap * tanh_stable(s / params.softcap);
  } else {
    out[i] = s;
  }
}
