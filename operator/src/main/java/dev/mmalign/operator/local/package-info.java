/**
 * Local mode's building blocks: a Kubernetes API server and a Job executor that run on one machine, with no
 * cluster (DESIGN.md §7). Nothing here depends on the operator's reconcilers.
 *
 * <p>How a {@code local} command puts them together:
 * <pre>{@code
 * EmbeddedApiServer api = EmbeddedApiServer.start(port);            // 127.0.0.1 only; 0 = any free port
 * api.installCrds(repoRoot.resolve("crds"));
 * LocalJobExecutor jobs = new LocalJobExecutor(api.newClient(),
 *         LocalExecutorConfig.defaults(repoRoot, workDir));          // 2 processes at once, trainer jar of the repo
 * jobs.start();
 * // the operator: point its client at api.url() (e.g. quarkus.kubernetes-client.api-server-url, set before
 * // Quarkus starts), SSA off; then apply the manifests with api.client() or kubectl --server api.url()
 * ...
 * jobs.close();                                                      // SIGTERM to pod processes
 * api.close();
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.mmalign.operator.local.EmbeddedApiServer}: the Fabric8 mock server (CRUD) with discovery
 *       ({@code Discovery}), server-side printing for kubectl ({@code TablePrinter}), CRD installation
 *       ({@code CrdInstaller}) and cascading deletion ({@code OwnerGarbageCollector}).</li>
 *   <li>{@link dev.mmalign.operator.local.LocalJobExecutor}: Job controller + kubelet for Jobs; pods become local
 *       processes ({@code PodFactory}, {@code PodLauncher}, {@code VolumeMapper}, {@code ContainerEnv},
 *       {@code dev.mmalign.api.stage.PathMap}, {@code PodProcess}, {@code PodFailurePolicies}, {@code StatusWriter}).</li>
 * </ul>
 */
package dev.mmalign.operator.local;
