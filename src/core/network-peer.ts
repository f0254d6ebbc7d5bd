/** Who may talk to a workload, or whom it may call. Fields combine (namespace AND pod labels). */
export interface NetworkPeer {
  /** Pods in this namespace (by name). @default - the workload's own namespace */
  readonly namespace?: string;
  /** Pods in namespaces with these labels. @default - none */
  readonly namespaceLabels?: Record<string, string>;
  /** Pods with these labels. @default - any pod of the selected namespaces */
  readonly podLabels?: Record<string, string>;
  /** An IP range (e.g. an object store or a managed queue); excludes the other fields. @default - none */
  readonly cidr?: string;
  /**
   * In an ingress rule, admit every source this peer matches although it is wide open: a CIDR with a
   * prefix of 0 (`0.0.0.0/0`, `::/0`: the whole Internet behind a LoadBalancer) or empty
   * `namespaceLabels` (every namespace of the cluster, any tenant).
   * @default false (such a peer in an ingress rule is an error)
   */
  readonly allowAnySource?: boolean;
}
