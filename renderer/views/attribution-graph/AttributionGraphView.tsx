/**
 * Attribution graph of the prompt (registry method "attribution-graph", run by the worker's
 * `method` job): the node-link figure of the one figure layer, filtered in the view — influence
 * threshold, error nodes hidden, supernodes — with a clicked node's edges and, for a feature, its
 * dashboard (registry method "feature-dashboards" on that layer's transcoder, run and packed by
 * the worker's `dashboards` job; the page unpacks the chosen feature only).
 */
import { useMemo, useState } from 'react';
import type { PlotDatum } from 'plotly.js-dist-min';
import type { AttributionGraphJson } from '../../../analysis/registry/attribution-graph.ts';
import { attributionGraphStep } from '../../../analysis/registry/attribution-graph.ts';
import type { GraphView } from '../../../analysis/registry/views.ts';
import { METHODS } from '../../../analysis/registry/registry.ts';
import { chunkOf, focusedDashboards, unpackFeature } from '../../../analysis/registry/dashboard-artifact.ts';
import { viewToTable } from '../../../notebooks/figures/table.ts';
import { Button } from '../../components/Button.tsx';
import { Checkbox, NumberField, SelectField } from '../../components/Fields.tsx';
import { JobStatus } from '../../components/JobStatus.tsx';
import { Message } from '../../components/Message.tsx';
import { FigureCard } from '../../figures/FigureCard.tsx';
import { methodFigure } from '../../figures/method-figure.ts';
import { DetailList } from '../shared/DetailList.tsx';
import { useViewJob } from '../shared/use-view-job.ts';
import { sameIds, usePromptInput } from '../use-prompt-input.ts';
import { ViewLayout } from '../ViewLayout.tsx';
import { folderContents, useOpenedDictionaries } from '../dictionaries/dictionary-choice.ts';
import { OpenDictionaryFolder } from '../dictionaries/OpenDictionaryFolder.tsx';
import type { Supernode } from './graph-filter.ts';
import { filterGraph, nodeEdges } from './graph-filter.ts';

const TRANSCODERS = 'builtin:stories260K-transcoders';

function EdgeList({ title, edges, label, testId }: { title: string; edges: readonly { source: string; target: string; weight: number }[]; label: (id: string) => string; testId: string }) {
  return (
    <div data-testid={testId}>
      <h4>{title}</h4>
      {edges.length === 0 ? (
        <p className="hint">none kept</p>
      ) : (
        <ol className="edge-list">
          {edges.slice(0, 12).map((e) => (
            <li key={`${e.source}>${e.target}`}>
              <span className={e.weight >= 0 ? 'edge-positive' : 'edge-negative'}>{e.weight.toPrecision(3)}</span> {label(title === 'Incoming' ? e.source : e.target)}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export function AttributionGraphView() {
  const input = usePromptInput();
  const job = useViewJob('method');
  // The worker packs every feature's dashboard; only the chosen feature is unpacked here.
  const dashboard = useViewJob('dashboards');
  const [nodeThreshold, setNodeThreshold] = useState(0.8);
  const [edgeThreshold, setEdgeThreshold] = useState(0.98);
  const [influence, setInfluence] = useState(0.8);
  const [hideErrors, setHideErrors] = useState(false);
  const [supernodes, setSupernodes] = useState<Supernode[]>([]);
  const [groupName, setGroupName] = useState('group 1');
  const [selected, setSelected] = useState<string | null>(null);
  // The built-in transcoders, or a transcoder set the user opened (Dictionary features' picker).
  const [transcoders, setTranscoders] = useState(TRANSCODERS);
  const opened = useOpenedDictionaries();
  const transcoderChoices = [
    { value: TRANSCODERS, label: 'stories260K transcoders (built-in)' },
    ...opened.filter((o) => o.dictionaries.some((d) => d.hookIn !== d.hookOut)).map((o) => ({ value: o.ref, label: `${o.label} (${o.crossLayer ? folderContents(o) : `${o.dictionaries.length} transcoders`})` })),
  ];
  const r = (job.result?.result ?? null) as AttributionGraphJson | null;
  const ranIds = job.params?.prompts?.[0] && 'ids' in job.params.prompts[0] ? job.params.prompts[0].ids : null;

  const full = useMemo(() => (r ? (attributionGraphStep.view(r, 'graph') as GraphView) : null), [r]);
  const shown = useMemo(() => (full ? filterGraph(full, { influence, hideErrors, supernodes }) : null), [full, influence, hideErrors, supernodes]);
  const spec = useMemo(() => (shown ? methodFigure(shown, 'graph', { width: 1040, height: 600 }) : null), [shown]);
  const labelOf = useMemo(() => {
    const labels = new Map((shown?.nodes ?? []).map((n) => [n.id, n.label]));
    return (id: string) => labels.get(id) ?? id;
  }, [shown]);
  const node = shown && selected ? shown.nodes.find((n) => n.id === selected) ?? null : null;
  const edges = shown && node ? nodeEdges(shown, node.id) : null;
  const feature = node?.kind === 'feature' && !node.id.startsWith('supernode:') ? node.id.split('_').map(Number) : null;

  const neuronpedia = () => (r ? { ...r.graph, qParams: { ...r.graph.qParams, supernodes: supernodes.map((s) => [s.name, ...s.members]) } } : null);
  const packed = dashboard.result;
  const shownFeature = dashboard.params?.params.feature;
  const dashboardResult = useMemo(
    () => (packed && typeof shownFeature === 'number' ? focusedDashboards(packed.header, unpackFeature(packed.chunks[chunkOf(packed.header, shownFeature)], shownFeature)) : null),
    [packed, shownFeature],
  );
  const dashboardViews = useMemo(() => {
    if (!dashboardResult) return null;
    const method = METHODS.get('feature-dashboards')!;
    return { contexts: method.view(dashboardResult, 'contexts'), logits: method.view(dashboardResult, 'logits') };
  }, [dashboardResult]);

  return (
    <ViewLayout
      title="Attribution graph"
      description="Circuit tracing through the built-in per-layer transcoders: which transcoder features, error nodes and input tokens drive the top next-token logits, each edge a direct linear effect in the frozen replacement model."
      onRun={() => {
        if (!input.ids) return;
        setSelected(null);
        setSupernodes([]);
        job.run(
          {
            method: 'attribution-graph',
            params: { prompt: 0, transcoders, nodeThreshold, edgeThreshold, batchSize: 64 },
            prompts: [{ ids: input.ids }],
          },
          input.tokens ?? [],
        );
      }}
      blocked={input.blocked}
      running={job.running}
      runLabel="Trace"
      status={<JobStatus state={job.state} onCancel={job.cancel} />}
      params={
        <>
          <SelectField label="Transcoders" value={transcoders} options={transcoderChoices} onChange={setTranscoders} width="lg" testId="graph-transcoders" />
          <OpenDictionaryFolder onOpened={(folder) => folder.dictionaries.some((d) => d.hookIn !== d.hookOut) && setTranscoders(folder.ref)} />
          <NumberField label="Node threshold" value={nodeThreshold} onChange={setNodeThreshold} min={0} max={1} step={0.01} hint="cumulative influence kept" testId="graph-node-threshold" />
          <NumberField label="Edge threshold" value={edgeThreshold} onChange={setEdgeThreshold} min={0} max={1} step={0.01} hint="cumulative edge influence kept" testId="graph-edge-threshold" />
        </>
      }
      ranWith={job.result?.interventions}
      testId="view-attribution-graph"
    >
      {r && ranIds && !sameIds(input.ids, ranIds) && <Message tone="info">The prompt changed since this graph was traced.</Message>}
      {r && spec && shown && (
        <>
          <DetailList
            items={[
              ['Replacement score', r.replacementScore ?? NaN],
              ['Completeness score', r.completenessScore ?? NaN],
              ['Nodes (kept)', `${r.totalNodes} (${r.keptNodes})`],
              ['Edges kept', r.keptEdges],
              ['Exactness |Σ edges + bias − value|', r.maxIdentityError ?? NaN],
            ]}
            testId="graph-scores"
          />
          <div className="graph-controls">
            <label className="field">
              <span>Show nodes up to cumulative influence {influence.toFixed(2)}</span>
              <input type="range" min={0.05} max={1} step={0.01} value={influence} onChange={(e) => setInfluence(Number(e.target.value))} data-testid="graph-influence" />
            </label>
            <Checkbox label="Hide error nodes" checked={hideErrors} onChange={setHideErrors} testId="graph-hide-errors" />
          </div>
          <FigureCard
            title="Attribution graph"
            caption="click a node for its edges; rows: embeddings, layers, logits; red edges push up, blue push down"
            spec={spec}
            onClick={(p: PlotDatum) => {
              const id = (p as PlotDatum & { customdata?: unknown }).customdata;
              if (typeof id === 'string') setSelected(id);
            }}
            testId="figure-attribution-graph"
            revision={`${job.runKey}-${influence}-${hideErrors}-${supernodes.length}`}
            exports={{ name: 'attribution-graph', table: () => viewToTable(shown), json: neuronpedia }}
          />
          {node && edges && (
            <section className="figure-card" data-testid="graph-node">
              <header className="figure-head">
                <span className="figure-title">{node.label}</span>
                <span className="figure-caption">{node.id}</span>
              </header>
              <div className="graph-node-edges">
                <EdgeList title="Incoming" edges={edges.incoming} label={labelOf} testId="graph-node-incoming" />
                <EdgeList title="Outgoing" edges={edges.outgoing} label={labelOf} testId="graph-node-outgoing" />
              </div>
              <div className="graph-node-actions">
                {!node.id.startsWith('supernode:') && (
                  <>
                    <input value={groupName} onChange={(e) => setGroupName(e.target.value)} aria-label="Supernode name" data-testid="graph-group-name" />
                    <Button
                      onClick={() => {
                        const name = groupName.trim() || 'group';
                        setSupernodes((all) => {
                          const existing = all.find((s) => s.name === name);
                          return existing ? all.map((s) => (s === existing ? { name, members: [...new Set([...s.members, node.id])] } : s)) : [...all, { name, members: [node.id] }];
                        });
                        setSelected(null);
                      }}
                      data-testid="graph-add-to-group"
                    >
                      Add to supernode
                    </Button>
                  </>
                )}
                {feature && (
                  <Button
                    onClick={() =>
                      dashboard.run({
                        params: { dictionary: transcoders, hook: `blocks.${feature[0]}.hook_mlp_out`, feature: feature[1], samples: 24, length: 48 },
                      })
                    }
                    disabled={dashboard.running}
                    data-testid="graph-open-dashboard"
                  >
                    Feature dashboard
                  </Button>
                )}
              </div>
            </section>
          )}
          {supernodes.length > 0 && (
            <ul className="supernode-list" data-testid="graph-supernodes">
              {supernodes.map((s) => (
                <li key={s.name}>
                  {s.name}: {s.members.length} nodes{' '}
                  <Button size="sm" onClick={() => setSupernodes((all) => all.filter((x) => x !== s))}>
                    Ungroup
                  </Button>
                </li>
              ))}
            </ul>
          )}
          <JobStatus state={dashboard.state} onCancel={dashboard.cancel} />
          {dashboardViews && (
            <div className="figure-stack" data-testid="graph-dashboard">
              {(['contexts', 'logits'] as const).map((name) => (
                <FigureCard
                  key={name}
                  title={dashboardViews[name].title}
                  // The card carries the long title; the plot's own title stays short so it fits.
                  spec={methodFigure(dashboardViews[name], name === 'contexts' ? 'table' : 'bar', {
                    width: 1040,
                    title: name === 'contexts' ? 'Top-activating contexts' : 'Logit weights W_dec[f] · W_U',
                  })}
                  revision={`${dashboard.runKey}-${name}`}
                  exports={{ name: `feature-${name}`, table: () => viewToTable(dashboardViews[name]), json: () => dashboardResult }}
                />
              ))}
            </div>
          )}
        </>
      )}
    </ViewLayout>
  );
}
