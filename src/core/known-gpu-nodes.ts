/**
 * The most GPUs one node can carry for the NVIDIA products whose GPUs sit on a fixed baseboard (SXM modules on
 * an HGX/DGX board), by the product name GPU feature discovery puts in `nvidia.com/gpu.product`. No node of
 * these products has more, whatever the cloud or the vendor, so a pod asking for more can never be scheduled
 * even where no node pool is declared.
 *
 * Sources: NVIDIA HGX/DGX specifications (HGX H100/H200/B200: 8 GPUs; HGX A100: 4 or 8, and the 16-GPU
 * HGX A100 behind GCP a2-megagpu-16g; DGX-2: 16 V100 SXM3), and the largest instance of each product on
 * AWS (p5, p5e, p6, p4d/p4de, p3dn), GCP (a3, a4, a2) and Azure (ND H100 v5, ND A100 v4).
 *
 * Left out on purpose: PCIe cards (L4, T4, A10G, L40S, A100/H100 PCIe), which chassis carry in any number up to
 * 20, and host CPU and memory, which vary with the server; declare `nodePools` to check those.
 */
export const SXM_GPUS_PER_NODE: readonly { readonly product: RegExp; readonly gpus: number; readonly example: string }[] = [
  { product: /^NVIDIA-(H100|H200|H800)-.*(SXM|HBM3)/, gpus: 8, example: 'HGX H100/H200 (AWS p5, GCP a3, Azure ND H100 v5)' },
  { product: /^NVIDIA-(B200|B300|GB200)/, gpus: 8, example: 'HGX B200 (AWS p6-b200, GCP a4)' },
  { product: /^NVIDIA-A100-SXM4-/, gpus: 16, example: 'HGX A100 16-GPU (GCP a2-megagpu-16g); 8 on AWS p4d and Azure ND A100 v4' },
  { product: /^Tesla-V100-SXM[23]-/, gpus: 16, example: 'DGX-2 (16 V100 SXM3); 8 on AWS p3dn' },
];

/** The most GPUs one node of `product` has, with an example of such a node; undefined for a product not listed. */
export function maxGpusPerNode(product: string): { gpus: number; example: string } | undefined {
  const known = SXM_GPUS_PER_NODE.find((k) => k.product.test(product));
  return known && { gpus: known.gpus, example: known.example };
}
