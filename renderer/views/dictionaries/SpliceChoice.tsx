/**
 * "Splice into every method": a built-in SAE or a folder opened this session (a cross-layer
 * transcoder is spliced into every MLP output) and the splice mode, for the run of every method
 * view (spliced-dictionaries.ts). The registry refuses what it cannot do with the choice (e.g.
 * gradients through a cross-layer transcoder without its error term), and the view shows that
 * refusal as the job's error.
 */
import type { SpliceMode } from '../../../analysis/dictionaries/attach.ts';
import { SelectField } from '../../components/Fields.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { folderContents, SAE_CHOICES, useOpenedDictionaries } from './dictionary-choice.ts';
import { setSplicedDictionaries, useSplicedDictionaries } from './spliced-dictionaries.ts';

const NONE = '';
const MODES: readonly { value: SpliceMode; label: string }[] = [
  { value: 'with-error', label: 'With error term' },
  { value: 'without-error', label: 'Reconstruction only' },
  { value: 'none', label: 'Observe only' },
];

export function SpliceChoice() {
  const spliced = useSplicedDictionaries();
  const opened = useOpenedDictionaries();
  const options = [
    { value: NONE, label: 'None (the plain model)' },
    ...SAE_CHOICES.map((c) => ({ value: c.dictionary, label: c.label })),
    ...opened.map((o) => ({ value: o.ref, label: `${o.label} (${folderContents(o)})` })),
  ];
  const mode = spliced?.mode ?? 'with-error';
  const choose = (ref: string, next: SpliceMode) => setSplicedDictionaries(ref === NONE ? null : { ref, label: options.find((o) => o.value === ref)?.label ?? ref, mode: next });
  return (
    <>
      <SelectField label="Splice into every method" value={spliced?.ref ?? NONE} options={options} onChange={(ref) => choose(ref, mode)} width="lg" hint="methods run on the model with it spliced in" testId="splice-dictionaries" />
      {spliced && <Segmented label="Splice" value={mode} options={MODES} onChange={(next) => choose(spliced.ref, next)} />}
    </>
  );
}
