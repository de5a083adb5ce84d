// ggml block-quantised weights read in place (prepended to the kernels that read weights).
// Raw blocks, bytes packed little-endian in u32 words; element e of the row-major matrix lies in
// block e / 32 (rows are whole blocks). The including kernel defines
// `fn block_word(i: u32) -> u32` (word i of its weight buffer). Values are decoded as ggml's
// dequantize_row_*: f32(d) · q, one float32 product. Kinds are the host's ELEMENT_KIND values;
// a further type is one more case in block_value (and in gpu/quant.ts).

const BLOCK_Q8_0: u32 = 3u; // f16 d, int8 qs[32]
const BLOCK_Q4_0: u32 = 4u; // f16 d, 16 bytes: value j low nibble of byte j, j + 16 its high nibble, minus 8

fn block_byte(o: u32) -> u32 {
  return (block_word(o >> 2u) >> ((o & 3u) * 8u)) & 0xffu;
}

// IEEE half at even byte offset o (blocks start at even offsets: it never straddles a word),
// widened exactly, subnormals included (unpack2x16float may flush them).
fn block_half(o: u32) -> f32 {
  let h = (block_word(o >> 2u) >> ((o & 2u) * 8u)) & 0xffffu;
  let sign = (h & 0x8000u) << 16u;
  let e = (h >> 10u) & 0x1fu;
  let m = h & 0x3ffu;
  if (e == 0u) {
    let v = f32(m) * 5.9604644775390625e-8; // m · 2^-24, exact
    return select(v, -v, sign != 0u);
  }
  if (e == 31u) {
    return bitcast<f32>(sign | 0x7f800000u | (m << 13u));
  }
  return bitcast<f32>(sign | ((e + 112u) << 23u) | (m << 13u));
}

fn block_value(kind: u32, e: u32) -> f32 {
  let j = e & 31u;
  if (kind == BLOCK_Q8_0) {
    let base = (e >> 5u) * 34u;
    let q = bitcast<i32>(block_byte(base + 2u + j) << 24u) >> 24u;
    return block_half(base) * f32(q);
  }
  let base = (e >> 5u) * 18u;
  let byte = block_byte(base + 2u + (j & 15u));
  let nibble = select(byte & 15u, byte >> 4u, j >= 16u);
  return block_half(base) * f32(i32(nibble) - 8);
}
