import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

const GPU_TESTS = '{gpu,analysis,notebooks,cli,test}/**/*.gpu.test.ts';
const SLOW_GPU_TESTS = '{gpu,analysis,notebooks,cli,test}/**/*.slow.gpu.test.ts';

/**
 * Node with Dawn on SwiftShader (the Vulkan ICD Debian's chromium-common ships). The files run one
 * after another in one process with modules kept (isolate: false), so they share one WebGPU backend
 * (gpu/webgpu/testing.ts sharedGpu) and SwiftShader, seconds per pipeline, compiles each pipeline
 * once per run instead of once per file.
 */
const SWIFTSHADER_NODE = {
  environment: 'node',
  env: { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' },
  testTimeout: 300_000,
  fileParallelism: false,
  isolate: false,
} as const;

/**
 * Five projects (`npm test` runs the first four; `npm run test:slow` the fifth):
 * - unit: Node, every `*.test.ts` that is not a GPU or browser test;
 * - gpu: Node with Dawn (npm `webgpu`) on SwiftShader, `*.gpu.test.ts` but not `*.slow.gpu.test.ts`;
 * - gpu-slow: the same, `*.slow.gpu.test.ts`: repeats of capabilities the gpu project already
 *   covers (second hosts, more GGUF files, more architecture × hook cells, long continuations),
 *   too slow on SwiftShader for every CI run;
 * - browser: real headless Chromium with WebGPU and IndexedDB, `*.browser.test.ts`;
 * - e2e: the built web app served locally and driven in Debian's Chromium through
 *   playwright-core, `test/e2e/*.e2e.test.ts` (the build runs once, in globalSetup).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['{gpu,analysis,notebooks,electron,renderer,cli,test}/**/*.test.ts'],
          exclude: ['**/*.gpu.test.ts', '**/*.browser.test.ts', '**/*.e2e.test.ts', '**/node_modules/**'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'gpu',
          ...SWIFTSHADER_NODE,
          include: [GPU_TESTS],
          exclude: [SLOW_GPU_TESTS, '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'gpu-slow',
          ...SWIFTSHADER_NODE,
          include: [SLOW_GPU_TESTS],
        },
      },
      {
        test: {
          name: 'browser',
          include: ['{gpu,analysis,renderer,test}/**/*.browser.test.ts'],
          testTimeout: 300_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: {
                executablePath: '/usr/bin/chromium',
                args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking'],
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          // Generous: WebGPU here is SwiftShader on 2 cores, and other projects may run alongside.
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
