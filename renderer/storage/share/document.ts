/**
 * The .probescope format, version 1: a zip archive with
 *   manifest.json   {format: "probescope-project", formatVersion: 1, appVersion, created}
 *   project.json    the project and all its parts (schema below); typed arrays as references
 *   arrays/<n>.bin  one typed array each, little-endian, referenced from project.json
 * and nothing else. Readers refuse a higher formatVersion (written by a newer app) rather than
 * guess. Values under params/result/figure/probe/notebook are stored data (codec.ts).
 */
import { z } from 'zod';
import { InterventionSchema } from '../../../analysis/hooks/interventions.ts';
import { MODEL_IDENTITY_SCHEME } from '../../../analysis/formats/model-identity.ts';
import { MAX_NAME_LENGTH } from '../ids.ts';
import { ARRAY_ENTRY_PATTERN } from './codec.ts';
import { ShareFormatError } from './errors.ts';

export const FORMAT_NAME = 'probescope-project';
export const FORMAT_VERSION = 1;
export const FILE_EXTENSION = '.probescope';
export const MANIFEST_ENTRY = 'manifest.json';
export const PROJECT_ENTRY = 'project.json';

/** Whether a zip entry name belongs in a .probescope file at all (checked before anything is inflated). */
export function isExpectedEntry(name: string): boolean {
  return name === MANIFEST_ENTRY || name === PROJECT_ENTRY || ARRAY_ENTRY_PATTERN.test(name);
}

export const ManifestSchema = z.strictObject({
  format: z.literal(FORMAT_NAME),
  formatVersion: z.number().int().positive(),
  appVersion: z.string().min(1).max(64),
  created: z.iso.datetime({ offset: true }),
});
export type Manifest = z.infer<typeof ManifestSchema>;

const Id = z.string().min(1).max(128);
const Time = z.number().int().nonnegative();
const Name = z.string().trim().min(1).max(MAX_NAME_LENGTH).regex(/^[^\r\n]*$/, 'must be a single line');
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits (a SHA-256)');
/** An encoded stored value: structure checked by the codec while decoding. */
const Encoded = z.unknown();

export const ModelReferenceSchema = z.strictObject({
  name: Name,
  // Today's identity (analysis/formats/model-identity.ts), or the sampled scheme of files written
  // before it: imported as stored, and never compared with today's (storage/model-hash.ts).
  hash: z
    .discriminatedUnion('scheme', [
      z.strictObject({
        scheme: z.literal(MODEL_IDENTITY_SCHEME),
        config: Hex64,
        tokenizer: Hex64.nullable(),
        weights: Hex64,
        weightBytes: z.number().int().nonnegative(),
      }),
      z.strictObject({
        scheme: z.literal('probescope-sampled-v1'),
        config: Hex64,
        weights: Hex64,
        weightBytes: z.number().int().nonnegative(),
      }),
    ])
    .nullable(),
});

export const ProjectDocumentSchema = z.strictObject({
  project: z.strictObject({ id: Id, name: Name, model: ModelReferenceSchema.nullable(), createdAt: Time, updatedAt: Time }),
  prompts: z.array(
    z.strictObject({
      id: Id,
      name: Name,
      text: z.string(),
      corrupted: z.string().nullable(),
      // Absent in files written before prompts kept the intervention list.
      interventions: z.array(z.strictObject({ enabled: z.boolean(), intervention: InterventionSchema })).max(256).optional(),
      createdAt: Time,
      updatedAt: Time,
    }),
  ),
  datasets: z.array(
    z.strictObject({
      id: Id,
      name: Name,
      items: z.array(z.strictObject({ text: z.string(), label: z.union([z.string(), z.number(), z.null()]) })),
      createdAt: Time,
      updatedAt: Time,
    }),
  ),
  experiments: z.array(
    z.strictObject({
      id: Id,
      kind: Name,
      label: Name,
      params: Encoded,
      result: Encoded,
      model: ModelReferenceSchema.nullable(),
      // Absent in files written before runs recorded their interventions.
      interventions: z.array(InterventionSchema).max(256).optional(),
      createdAt: Time,
    }),
  ),
  figures: z.array(z.strictObject({ id: Id, experimentId: Id.nullable(), title: Name, figure: Encoded, createdAt: Time })),
  probes: z.array(z.strictObject({ id: Id, name: Name, probe: Encoded, createdAt: Time, updatedAt: Time })),
  notebooks: z.array(z.strictObject({ id: Id, name: Name, notebook: Encoded, createdAt: Time, updatedAt: Time })),
});
export type ProjectDocument = z.infer<typeof ProjectDocumentSchema>;

/** "experiments.0.kind: Invalid input…; …" with the entry name in front. */
export function describeZodError(entry: string, error: z.ZodError): string {
  const issues = error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  const more = error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '';
  return `${entry} is not a valid Probescope project: ${issues.join('; ')}${more}`;
}

/** Checks the manifest, reporting a newer format version before anything else about it. */
export function parseManifest(json: unknown): Manifest {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ShareFormatError(`${MANIFEST_ENTRY} must be a JSON object`);
  const { format, formatVersion, appVersion } = json as Record<string, unknown>;
  if (format !== FORMAT_NAME) {
    throw new ShareFormatError(`${MANIFEST_ENTRY}: "format" is ${JSON.stringify(format)}, expected "${FORMAT_NAME}": this is not a Probescope project`);
  }
  if (typeof formatVersion === 'number' && Number.isInteger(formatVersion) && formatVersion > FORMAT_VERSION) {
    throw new ShareFormatError(
      `this project was written by a newer Probescope (file format version ${formatVersion}, app ${String(appVersion)}); ` +
        `this app reads format version ${FORMAT_VERSION} and older: update Probescope to open it`,
    );
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) throw new ShareFormatError(describeZodError(MANIFEST_ENTRY, parsed.error));
  return parsed.data;
}

export function parseProjectDocument(json: unknown): ProjectDocument {
  const parsed = ProjectDocumentSchema.safeParse(json);
  if (!parsed.success) throw new ShareFormatError(describeZodError(PROJECT_ENTRY, parsed.error));
  return parsed.data;
}
