/**
 * A feature's top-activating contexts with every token of the window shaded by the feature's
 * activation there (relative to the feature's maximum over the corpus), the activating token
 * outlined; the hover title gives the exact activation. Exports and pins the method's own
 * `contexts` table view.
 */
import type { ContextJson, DashboardsJson } from '../../../analysis/registry/dictionaries.ts';
import { featureDashboardsStep, focusedFeature } from '../../../analysis/registry/dictionaries.ts';
import { viewToTable } from '../../../notebooks/figures/table.ts';
import { methodFigure } from '../../figures/method-figure.ts';
import { PinToProject } from '../../projects/PinToProject.tsx';
import { TableCard } from '../shared/TableCard.tsx';

/** Newlines and tabs drawn visibly, so a context stays on its line. */
function visible(token: string): string {
  return token.replace(/\n/g, '⏎').replace(/\t/g, '⇥');
}

function ContextLine({ context, max }: { context: ContextJson; max: number }) {
  return (
    <li className="feature-context" data-testid="feature-context">
      <span className="feature-context-activation">{context.activation.toFixed(3)}</span>
      <span className="feature-context-text">
        {context.tokens.map((token, i) => {
          const strength = max > 0 ? Math.min(1, Math.max(0, context.acts[i] / max)) : 0;
          return (
            <span
              key={i}
              className={i === context.focus ? 'feature-token feature-token-focus' : 'feature-token'}
              style={{ backgroundColor: `rgba(214, 96, 77, ${strength.toFixed(3)})` }}
              title={`activation ${context.acts[i].toPrecision(4)}`}
            >
              {visible(token)}
            </span>
          );
        })}
      </span>
    </li>
  );
}

export function FeatureContexts({ result, pinJson }: { result: DashboardsJson; pinJson: () => unknown }) {
  const feature = focusedFeature(result);
  const view = featureDashboardsStep.view(result, 'contexts');
  const exports = { name: `feature-${result.focus}-contexts`, table: () => viewToTable(view), json: pinJson };
  return (
    <TableCard
      title={`Top contexts of feature ${result.focus}`}
      caption={`shaded by activation (max ${feature.maxActivation.toFixed(3)}); the activating token outlined`}
      exports={exports}
      testId="feature-contexts"
    >
      {feature.contexts.length === 0 ? (
        <p className="hint">This feature never fires on the corpus.</p>
      ) : (
        <ol className="feature-contexts">
          {feature.contexts.map((c) => (
            <ContextLine key={`${c.sequence}-${c.position}`} context={c} max={feature.maxActivation} />
          ))}
        </ol>
      )}
      <PinToProject title={view.title} spec={methodFigure(view, 'table', { title: `${result.hookOut} feature ${result.focus}: top contexts` })} exports={exports} />
    </TableCard>
  );
}
