import type { BackendProbe, BackendSelection } from '@semix/core';
import { probeBackends, selectBackend } from '@semix/core';

/**
 * `semix backends` as text: each backend probed, the one chosen with selectBackend's decisions and, on tensorflow,
 * the tfjs-node package and the libtensorflow it runs (results of two libtensorflow versions are two computes).
 */
export function backendsText(probes: BackendProbe[], chosen: BackendSelection, decisions: string[]): string {
  const lines = probes.map((p) => `${p.available ? '✓' : '✗'} ${p.name.padEnd(10)} ${p.reason}`);
  lines.push('', `chosen: ${chosen.name}`);
  if (chosen.native) {
    const { module, version, libtensorflow } = chosen.native;
    lines.push(`  ${module} ${version}, libtensorflow ${libtensorflow}`);
  }
  for (const d of decisions) lines.push(`  ${d}`);
  return lines.join('\n');
}

export async function backends(opts: { json?: boolean }): Promise<void> {
  const probes = await probeBackends();
  const decisions: string[] = [];
  const chosen = await selectBackend('auto', { log: (l) => decisions.push(l) });
  if (opts.json) {
    const { name, kernelPack, native } = chosen;
    console.log(JSON.stringify({ chosen: name, kernelPack, ...(native ? { native } : {}), backends: probes }, null, 2));
    return;
  }
  console.log(backendsText(probes, chosen, decisions));
}
