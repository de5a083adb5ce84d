/** WGSL kernels are imported as source text through Vite's `?raw` suffix (vite, vitest). */
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}
