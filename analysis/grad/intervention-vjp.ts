/**
 * Vector-Jacobian products of the declarative interventions (analysis/hooks/interventions.ts):
 * given g = ∂M/∂(value after the intervention), the gradient with respect to the value before it.
 * Every intervention is `select(mask, new(x), x)`, so outside the selection g passes unchanged and
 * inside it g is pulled back through `new`:
 *
 *   zero, replace, resample, uniform, mean over a reference cache   new is a constant → 0
 *   scale                                                           factor · g
 *   add                                                             g
 *   mean over positions of the same input                          every x[p] gets (1/P)·Σ_p' (mask ⊙ g)[p']
 */
import type { Backend, Tensor } from '../../gpu/backend.ts';
import type { HookSite, Intervention } from '../hooks/interventions.ts';
import { selectionMask } from '../hooks/interventions.ts';

export function interventionVjp(b: Backend, g: Tensor, iv: Intervention, site: HookSite): Tensor {
  const hostMask = selectionMask(g.shape, iv, site);
  const mask = hostMask ? b.upload(hostMask, g.shape) : null;
  /** `inside` on the selection, g elsewhere. */
  const onSelection = (inside: Tensor) => (mask ? b.select(mask, inside, g) : inside);
  switch (iv.op) {
    case 'add':
      return g;
    case 'scale':
      return onSelection(b.scale(g, iv.factor!));
    case 'zero':
    case 'uniform':
    case 'replace':
    case 'resample':
      return onSelection(b.fill(g.shape, 0));
    case 'mean': {
      if (iv.reference !== undefined) return onSelection(b.fill(g.shape, 0));
      const posAxis = site.point.axes.indexOf('pos');
      if (posAxis < 0) throw new Error(`intervention on ${iv.hook}: "mean" needs a pos axis`);
      // new[p'] = mean_p x[p] feeds every selected p', so each x[p] receives mean_p' of the
      // selected gradient, on top of what reaches it where it was left unchanged.
      const selected = mask ? b.mul(g, mask) : g;
      const spread = b.expand(b.mean(selected, posAxis), g.shape);
      return b.add(onSelection(b.fill(g.shape, 0)), spread);
    }
  }
}
