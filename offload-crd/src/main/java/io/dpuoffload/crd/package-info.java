/**
 * The custom resources of group {@code dpuoffload.io}, version {@code v1alpha1}, both cluster-scoped:
 * {@link io.dpuoffload.crd.OffloadProfile} (what runs in an offload root) and {@link
 * io.dpuoffload.crd.OffloadNode} (one host and its DPU). These Java types are the source of the CRD
 * files in {@code crds/}; {@code CrdFilesTest} regenerates them and fails when the committed ones are
 * stale.
 */
package io.dpuoffload.crd;
