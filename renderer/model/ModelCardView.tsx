/** The model card: architecture, sizes, weights and where they run. */
import { formatBytes, formatCount } from '../app/format.ts';
import type { ModelCard } from '../worker/contracts.ts';

function Row({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <div className="card-row">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

export function ModelCardView({ card }: { card: ModelCard }) {
  const attention = card.nKvHeads === card.nHeads ? 'multi-head' : `grouped-query (${card.nHeads / card.nKvHeads} heads per kv head)`;
  return (
    <div className="model-card" data-testid="model-card">
      <div className="model-card-title">
        <h2 data-testid="model-name">{card.label}</h2>
        <span className="badge">{card.architecture}</span>
      </div>
      <div className="model-card-columns">
        <dl className="card-list">
          <Row label="Layers" value={card.nLayers} testId="card-layers" />
          <Row label="Heads" value={card.nHeads} testId="card-heads" />
          <Row label="KV heads" value={`${card.nKvHeads} · ${attention}`} />
          <Row label="d_model" value={card.dModel} />
          <Row label="d_head" value={card.dHead} />
          <Row label="d_mlp" value={`${card.dMlp}${card.gatedMlp ? ' (gated)' : ''}`} />
          <Row label="Vocabulary" value={card.dVocab.toLocaleString('en')} />
          <Row label="Context" value={`${card.nCtx.toLocaleString('en')} tokens`} />
        </dl>
        <dl className="card-list">
          <Row label="Parameters" value={`${formatCount(card.parameters)} (${card.parameters.toLocaleString('en')})`} testId="card-parameters" />
          <Row label="Weights dtype" value={card.dtypes.join(', ')} />
          <Row
            label="Per tensor type"
            value={card.tensorTypes.map((t) => `${t.dtype}: ${t.tensors} tensors, ${formatCount(t.parameters)} params, ${formatBytes(t.bytes)}`).join(' · ')}
            testId="card-tensor-types"
          />
          <Row label="Weights on disk" value={formatBytes(card.weightBytes)} />
          <Row label="Backend memory" value={formatBytes(card.backendBytes)} />
          <Row label="Backend" value={`${card.backend.name === 'webgpu' ? 'WebGPU' : 'CPU'} · ${card.backend.adapter}`} testId="card-backend" />
          <Row label="Norm · position" value={`${card.normalization} · ${card.positional}`} />
          <Row label="Activation" value={`${card.activation}${card.parallelResidual ? ' · parallel residual' : ''}${card.tiedEmbeddings ? ' · tied embeddings' : ''}`} />
          <Row label="Loaded in" value={`${Math.round(card.loadMs)} ms`} />
        </dl>
      </div>
      {card.backend.note && <p className="card-note">Backend: {card.backend.note.replace(/\.$/, '')}.</p>}
      {!card.hasTokenizer && <p className="card-note">No tokenizer.json: prompts are token ids (e.g. 1, 2, 3).</p>}
      {card.skipped && <p className="card-note">Not loaded: {card.skipped}.</p>}
    </div>
  );
}
