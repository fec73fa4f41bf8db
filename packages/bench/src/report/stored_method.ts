/**
 * A grid's methods as the tables read them. Grids and records written before policies store a method as
 * `{ name: 'mixup+sem', … }`; the board shows each method as its grid stored it (a row's `method`), and pairs and
 * groups rows by the method read as the current shape (`resolveMethod` upgrades the old one, with the same label).
 */
import { methodName, type ResolvedMethod, resolveMethod } from '@semix/mixup';
import type { LegacyResolvedMethod } from '@semix/mixup/internal';

/** Memoised per stored object: the tables ask for the same methods many times. */
const current = new WeakMap<object, ResolvedMethod>();

/** The method in the current shape, whichever shape its grid stored. */
export function currentMethod(m: ResolvedMethod | LegacyResolvedMethod): ResolvedMethod {
  let resolved = current.get(m);
  if (!resolved) {
    resolved = resolveMethod(m);
    current.set(m, resolved);
  }
  return resolved;
}

/** The policy a method applies, and whether it adds SEM: the two facts the tables pair rows by. */
export const policyOf = (m: ResolvedMethod | LegacyResolvedMethod) => currentMethod(m).policy;
export const hasSem = (m: ResolvedMethod | LegacyResolvedMethod) => currentMethod(m).sem !== null;

/** The method's name (`mixup+sem`): rows of one name are configurations of one method. */
export const nameOf = (m: ResolvedMethod | LegacyResolvedMethod) => methodName(currentMethod(m));
