// Prints, as one JSON line, what Dawn's WebGPU adapter says about itself (or why there is none).
// Run as a child process by cli/auto-backend.ts, so Dawn's native driver warnings (written
// straight to file descriptor 2) never reach the CLI's own stderr.
try {
  const { create } = await import('webgpu');
  const gpu = create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    console.log(JSON.stringify({ ok: false, reason: 'no WebGPU adapter (no WebGPU-capable GPU or driver)' }));
  } else {
    const info = adapter.info ?? {};
    console.log(
      JSON.stringify({
        ok: true,
        facts: {
          vendor: info.vendor ?? '',
          architecture: info.architecture ?? '',
          device: info.device ?? '',
          description: info.description ?? '',
          isFallbackAdapter: info.isFallbackAdapter === true || adapter.isFallbackAdapter === true,
        },
      }),
    );
  }
} catch (e) {
  console.log(JSON.stringify({ ok: false, reason: `WebGPU is unavailable (${e instanceof Error ? e.message : String(e)})` }));
}
process.exit(0);
