import { LWS_FACTS, RAY_FACTS } from '../core/facts/lws';

/** Quotes an argument for `sh -c` unless it is plainly safe. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The leader's start: a Ray head, then a wait until every pod of the group has joined (bounded by
 * `formationSeconds`, the budget the startup probe also allows for forming the group), then
 * `vllm serve` in the foreground. Past the budget it exits with a message naming what is missing;
 * LeaderWorkerSet then recreates the group.
 */
export function leaderStartScript(serveArgs: readonly string[], formationSeconds: number): string {
  const size = `$${LWS_FACTS.env.groupSize}`;
  return [
    'set -eu',
    `ray start --head --port=${RAY_FACTS.headPort}`,
    `end=$(( $(date +%s) + ${formationSeconds} ))`,
    'while :; do',
    `  alive=$(${RAY_FACTS.aliveNodes} 2>/dev/null || echo 0)`,
    `  if [ "$alive" -ge "${size}" ] 2>/dev/null; then break; fi`,
    `  if [ "$(date +%s)" -ge "$end" ]; then echo "only $alive of ${size} pods joined the Ray head within ${formationSeconds}s (groupFormationTimeout): are ${size} nodes with free GPUs available?" >&2; exit 1; fi`,
    `  echo "waiting for the group: $alive of ${size} pods joined"`,
    '  sleep 5',
    'done',
    `exec vllm serve ${serveArgs.map(shellQuote).join(' ')}`,
  ].join('\n');
}

/**
 * A worker's start: join the leader's Ray head and block, retrying while the head is not up yet (at
 * most `formationSeconds`). When the Ray node stops, the container ends and the group is recreated.
 */
export function workerStartScript(formationSeconds: number): string {
  const head = `$${LWS_FACTS.env.leaderAddress}:${RAY_FACTS.headPort}`;
  return [
    'set -u',
    `end=$(( $(date +%s) + ${formationSeconds} ))`,
    `until ray start --address="${head}" --block; do`,
    `  if [ "$(date +%s)" -ge "$end" ]; then echo "could not join the Ray head at ${head} within ${formationSeconds}s (groupFormationTimeout)" >&2; exit 1; fi`,
    '  sleep 5',
    'done',
  ].join('\n');
}
