/**
 * Local mode (DESIGN.md §7), its own module and runnable jar ({@code local/target/mmalign-local.jar}, entry point
 * {@link dev.mmalign.local.LocalCommand}): a Kubernetes API server and a Job executor that run on one machine, with
 * no cluster, and the packaged operator as a process of their own ({@code OperatorProcess}). Nothing here depends on
 * the operator's code; the operator contains nothing of this.
 *
 * <p>How the local command puts them together:
 * <pre>{@code
 * EmbeddedApiServer api = EmbeddedApiServer.start(port);            // 127.0.0.1 only; 0 = any free port
 * api.installCrds(repoRoot.resolve("crds"));
 * LocalJobExecutor jobs = new LocalJobExecutor(api.newClient(),
 *         LocalExecutorConfig.defaults(repoRoot, workDir));          // 2 processes at once, trainer jar of the repo
 * jobs.start();
 * // the operator: its packaged app as a process with LocalModeSettings.operatorProperties(api.url()) as -D options
 * // (its client pointed at the server); then apply the manifests with api.client() or kubectl --server api.url()
 * ...
 * jobs.close();                                                      // SIGTERM to pod processes
 * api.close();
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.mmalign.local.EmbeddedApiServer}: the Fabric8 mock server (CRUD) with discovery
 *       ({@code Discovery}), server-side printing for kubectl ({@code TablePrinter}), CRD installation
 *       ({@code CrdInstaller}) and cascading deletion ({@code OwnerGarbageCollector}).</li>
 *   <li>{@link dev.mmalign.local.LocalJobExecutor}: the Job controller for Jobs (pods, completions, backoff,
 *       podFailurePolicy, deadlines, status; {@code JobRun}, {@code PodFactory}, {@code PodFailurePolicies},
 *       {@code IndexRanges}) over {@code PodRunner}, the kubelet: pods become local processes ({@code PodLauncher},
 *       {@code VolumeMapper}, {@code ContainerEnv}, {@code dev.mmalign.api.stage.PathMap}, {@code PodProcess},
 *       {@code StatusWriter}).</li>
 * </ul>
 */
package dev.mmalign.local;
