// Writes the examples' node pools as the control plane's fake-node file (../shared/kube/README.md, "Fake nodes"):
//   node -r ./scripts/register.js scripts/cluster-nodes.ts > nodes.yaml && ../shared/kube/control-plane nodes nodes.yaml
// The same nodes `npm run test:cluster` creates through the API (poolNodes: <pool>-1 ... over the pool's zones).
import * as YAML from 'yaml';
import { NODE_POOLS } from '../examples/platform';
import { PoolNode, poolNodes } from '../src';

/** One entry of the control plane's nodes file per node. */
export function controlPlaneNodes(nodes: readonly PoolNode[]): object[] {
  return nodes.map((n) => ({
    name: n.name,
    labels: { ...n.labels, 'cdk8s-ml.test/pool': n.pool },
    ...(n.taints.length ? { taints: n.taints } : {}),
    capacity: n.allocatable,
  }));
}

if (require.main === module)
  process.stdout.write(YAML.stringify(controlPlaneNodes(poolNodes(NODE_POOLS)), { aliasDuplicateObjects: false }));
