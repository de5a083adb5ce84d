/** Opens a fixture model (test/fixtures/NAME) on a backend, the same way the CLI opens folders. */
import type { Backend } from '../gpu/backend.ts';
import { createCpuBackend } from '../gpu/cpu/backend.ts';
import { NodeFolderSource } from '../analysis/formats/node-source.ts';
import { loadHostModel } from '../analysis/model/load.ts';
import type { Model } from '../analysis/model/model.ts';
import { modelOnBackend } from '../analysis/model/model.ts';
import type { FixtureModel } from './reference.ts';
import { FIXTURES } from './reference.ts';

export async function loadFixtureModel(name: FixtureModel, backend: Backend = createCpuBackend()): Promise<Model> {
  const host = await loadHostModel(new NodeFolderSource(`${FIXTURES}${name}`));
  return modelOnBackend({ ...host, label: name }, backend);
}
