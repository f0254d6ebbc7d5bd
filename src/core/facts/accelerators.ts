import { FactSource } from './source';

/**
 * Memory of each whole GPU as the NVIDIA driver reports it (`nvidia-smi --query-gpu=memory.total`, also
 * the `nvidia.com/gpu.memory` node label of GPU feature discovery), in MiB, keyed by the product name GPU
 * feature discovery puts in `nvidia.com/gpu.product` (the `product` of `Accelerator.nvidiaGpu`).
 */
export const GPU_MEMORY_MIB: Readonly<Record<string, number>> = {
  'NVIDIA-H200': 143771,
  'NVIDIA-H100-NVL': 95830,
  'NVIDIA-H100-80GB-HBM3': 81559,
  'NVIDIA-H100-PCIe': 81559,
  'NVIDIA-A100-SXM4-80GB': 81920,
  'NVIDIA-A100-80GB-PCIe': 81920,
  'NVIDIA-A100-SXM4-40GB': 40960,
  'NVIDIA-A100-PCIE-40GB': 40960,
  'NVIDIA-L40S': 46068,
  'NVIDIA-L4': 23034,
  'NVIDIA-A10G': 23028,
  'NVIDIA-A10': 23028,
  'Tesla-V100-SXM2-16GB': 16384,
  'Tesla-T4': 15360,
};

/** Where the GPU memory figures come from. */
export const GPU_MEMORY_SOURCE: FactSource = {
  repository: 'NVIDIA/gpu-feature-discovery',
  version: 'v0.8.2',
  commit: 'n/a',
  paths: ['README.md (nvidia.com/gpu.product, nvidia.com/gpu.memory labels)'],
  note: 'product names as GFD labels them; memory.total as the driver reports it on each product (NVIDIA data sheets: 80 GB HBM3 = 81559 MiB usable)',
};

/** Per-GPU room a model server needs beside its share of the weights. */
export const GPU_FIT = {
  /** A KV cache of at least this much per GPU, or the server refuses to start (vLLM: "No available memory for the cache blocks"). */
  kvCacheFloorBytes: 2 * 2 ** 30,
  /** CUDA context, activations, NCCL buffers and CUDA graphs per GPU. */
  runtimeOverheadBytes: 2 ** 30,
} as const;

/** Bytes per parameter of each weight dtype. */
export const DTYPE_BYTES: Readonly<Record<string, number>> = {
  auto: 2,
  half: 2,
  float16: 2,
  bfloat16: 2,
  float: 4,
  float32: 4,
};
