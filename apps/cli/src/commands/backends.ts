import { probeBackends, selectBackend } from '@semix/core';

export async function backends(opts: { json?: boolean }): Promise<void> {
  const probes = await probeBackends();
  const lines: string[] = [];
  const chosen = await selectBackend('auto', { log: (l) => lines.push(l) });
  if (opts.json) {
    console.log(JSON.stringify({ chosen: chosen.name, kernelPack: chosen.kernelPack, backends: probes }, null, 2));
    return;
  }
  for (const p of probes) console.log(`${p.available ? '✓' : '✗'} ${p.name.padEnd(10)} ${p.reason}`);
  console.log(`\nchosen: ${chosen.name}`);
  for (const l of lines) console.log(`  ${l}`);
}
