// GENERATED FILE. DO NOT EDIT.
// scripts/generate writes it from rules/ (one file per rule).

/// The built-in rule pack, embedded so the installed binary needs no source tree.
enum BuiltinRules {
    /// Each rule file's path (relative to the repository) and text.
    static let files: [(path: String, text: String)] = [
        (
            "rules/availability/cronjob-concurrent-runs.yaml",
            #"""
            id: cronjob-concurrent-runs
            category: availability
            severity: info
            description: CronJobs allow a new run while the previous one is still running.
            remediation: Set spec.concurrencyPolicy to Forbid or Replace.
            message: allows concurrent runs
            scope:
              kinds: [CronJob]
            check: Assert
            params:
              on: object
              assert:
                - {path: spec.concurrencyPolicy, op: in, values: [Forbid, Replace]}
            equivalents:
              datree: ["24"]
            """#
        ),
        (
            "rules/availability/cronjob-missing-deadline.yaml",
            #"""
            id: cronjob-missing-deadline
            category: availability
            severity: info
            description: CronJobs have no starting deadline, so missed runs can pile up.
            remediation: Set spec.startingDeadlineSeconds.
            message: has no startingDeadlineSeconds
            scope:
              kinds: [CronJob]
            check: Assert
            params:
              on: object
              assert:
                - {path: spec.startingDeadlineSeconds, op: exists}
            equivalents:
              datree: ["17"]
            """#
        ),
        (
            "rules/availability/hpa-single-min-replica.yaml",
            #"""
            id: hpa-single-min-replica
            category: availability
            severity: warning
            description: HorizontalPodAutoscalers may scale down to a single replica.
            remediation: Set spec.minReplicas to 2 or more.
            message: may scale down to a single replica
            scope:
              kinds: [HorizontalPodAutoscaler]
            check: Assert
            params:
              on: object
              assert:
                - {path: spec.minReplicas, op: ge, value: 2, default: 1}
            equivalents:
              polaris: [hpaMinAvailability]
              kube-linter: [hpa-minimum-three-replicas]
              datree: ["13"]
            """#
        ),
        (
            "rules/availability/hpa-target-missing.yaml",
            #"""
            id: hpa-target-missing
            category: availability
            severity: warning
            description: HorizontalPodAutoscalers target an object that is not among the linted objects.
            remediation: Point scaleTargetRef at the workload, or lint the workload together with its autoscaler.
            scope:
              kinds: [HorizontalPodAutoscaler]
            check: ScaleTarget
            equivalents:
              kube-linter: [dangling-hpa]
            """#
        ),
        (
            "rules/availability/job-missing-ttl.yaml",
            #"""
            id: job-missing-ttl
            category: availability
            severity: info
            description: Jobs are never cleaned up after they finish.
            remediation: Set spec.ttlSecondsAfterFinished.
            message: is never cleaned up (no ttlSecondsAfterFinished)
            scope:
              kinds: [Job]
            check: Assert
            params:
              on: object
              when:
                - {path: metadata.ownerReferences, op: absent}
              assert:
                - {path: spec.ttlSecondsAfterFinished, op: exists}
            equivalents:
              kube-linter: [job-ttl-seconds-after-finished]
            """#
        ),
        (
            "rules/availability/missing-pod-disruption-budget.yaml",
            #"""
            id: missing-pod-disruption-budget
            category: availability
            severity: warning
            description: Replicated workloads have no PodDisruptionBudget, so a node drain may evict every replica.
            remediation: "Add a PodDisruptionBudget with maxUnavailable: 1 selecting the pods."
            check: PodDisruptionBudget
            params:
              minReplicas: 2
            equivalents:
              polaris: [missingPodDisruptionBudget]
            """#
        ),
        (
            "rules/availability/missing-priority-class.yaml",
            #"""
            id: missing-priority-class
            category: availability
            severity: info
            description: Pods have no priority class, so the scheduler cannot tell critical from best-effort work.
            remediation: Set priorityClassName on the pod spec.
            message: has no priorityClassName
            enabled: false
            check: Assert
            params:
              on: podSpec
              assert:
                - {path: priorityClassName, op: exists}
            equivalents:
              polaris: [priorityClassNotSet]
            """#
        ),
        (
            "rules/availability/naked-pod.yaml",
            #"""
            id: naked-pod
            category: availability
            severity: warning
            description: Pods are created directly, without a controller to recreate them.
            remediation: Run the pod from a Deployment, StatefulSet, DaemonSet or Job.
            message: is not managed by a controller
            scope:
              kinds: [Pod]
            check: Assert
            params:
              on: object
              assert:
                - {path: metadata.ownerReferences, op: exists}
            equivalents:
              polaris: [nakedPod]
              datree: ["25"]
            """#
        ),
        (
            "rules/availability/pod-disruption-budget-blocks-eviction.yaml",
            #"""
            id: pod-disruption-budget-blocks-eviction
            category: availability
            severity: warning
            description: PodDisruptionBudgets allow no disruption, which blocks node drains and upgrades.
            remediation: Set maxUnavailable to at least 1 (or minAvailable below the replica count).
            message: allows no voluntary disruption
            scope:
              kinds: [PodDisruptionBudget]
            check: Assert
            params:
              on: object
              assert:
                - {path: spec.maxUnavailable, op: notIn, values: [0, "0%"]}
                - {path: spec.minAvailable, op: notEquals, value: "100%"}
            equivalents:
              polaris: [pdbDisruptionsIsZero]
              kube-linter: [pdb-max-unavailable]
            """#
        ),
        (
            "rules/availability/pod-disruption-budget-selects-nothing.yaml",
            #"""
            id: pod-disruption-budget-selects-nothing
            category: availability
            severity: warning
            description: PodDisruptionBudgets select no pods among the linted workloads.
            remediation: Fix the selector to match the pod template labels.
            scope:
              kinds: [PodDisruptionBudget]
            check: DanglingSelector
            params:
              path: spec.selector
              form: labelSelector
            """#
        ),
        (
            "rules/availability/replicas-not-spread.yaml",
            #"""
            id: replicas-not-spread
            category: availability
            severity: info
            description: Replicated workloads have neither pod anti-affinity nor topology spread constraints, so all replicas may share a node.
            remediation: Add topologySpreadConstraints over kubernetes.io/hostname (or a preferred podAntiAffinity).
            check: Spread
            params:
              minReplicas: 2
            equivalents:
              kube-linter: [no-anti-affinity]
              datree: ["83"]
            """#
        ),
        (
            "rules/availability/single-replica.yaml",
            #"""
            id: single-replica
            category: availability
            severity: warning
            description: Deployments and StatefulSets run a single replica, so any restart is an outage.
            remediation: Run at least two replicas (or let a HorizontalPodAutoscaler with minReplicas of two or more manage them).
            message: runs a single replica
            scope:
              kinds: [Deployment, StatefulSet, Rollout, DeploymentConfig]
            check: Assert
            params:
              on: object
              assert:
                - {path: spec.replicas, op: ge, value: 2, default: 1}
              fix:
                - {path: spec.replicas, value: 2}
              unlessAutoscaled: true
            equivalents:
              polaris: [deploymentMissingReplicas]
              datree: ["16"]
            """#
        ),
        (
            "rules/images/image-not-pinned-by-digest.yaml",
            #"""
            id: image-not-pinned-by-digest
            category: images
            severity: info
            description: Containers name an image by tag instead of by digest.
            remediation: Reference the image by digest (name@sha256:…) so every pull gets the same bytes.
            enabled: false
            check: ImageTag
            params:
              mode: digest
            equivalents:
              datree: ["23"]
            """#
        ),
        (
            "rules/images/image-pull-policy-not-always.yaml",
            #"""
            id: image-pull-policy-not-always
            category: images
            severity: info
            description: "Containers do not set imagePullPolicy: Always."
            remediation: "Set imagePullPolicy: Always, or pin images by digest so the cached image is the right one."
            message: "does not set imagePullPolicy: Always"
            enabled: false
            check: Assert
            params:
              on: container
              assert:
                - {path: imagePullPolicy, op: equals, value: Always}
              fix:
                - {path: imagePullPolicy, value: Always}
            equivalents:
              polaris: [pullPolicyNotAlways]
            """#
        ),
        (
            "rules/images/latest-image-tag.yaml",
            #"""
            id: latest-image-tag
            category: images
            severity: warning
            description: Containers use the mutable latest tag.
            remediation: Pin the image to a version tag or a digest.
            check: ImageTag
            params:
              mode: latest
            equivalents:
              polaris: [tagNotSpecified]
              kube-linter: [latest-tag]
              datree: ["1"]
            """#
        ),
        (
            "rules/images/missing-image-tag.yaml",
            #"""
            id: missing-image-tag
            category: images
            severity: warning
            description: Containers name an image without a tag or digest, which pulls latest.
            remediation: Pin the image to a version tag or a digest.
            check: ImageTag
            params:
              mode: missing
            equivalents:
              polaris: [tagNotSpecified]
              kube-linter: [latest-tag]
              datree: ["1"]
            """#
        ),
        (
            "rules/metadata/default-namespace.yaml",
            #"""
            id: default-namespace
            category: metadata
            severity: info
            description: Objects are placed in the default namespace explicitly.
            remediation: Set metadata.namespace to the application namespace.
            message: is in the default namespace
            check: Assert
            params:
              on: object
              assert:
                - {path: metadata.namespace, op: notEquals, value: default}
            equivalents:
              kube-linter: [use-namespace]
              datree: ["15"]
            """#
        ),
        (
            "rules/metadata/deprecated-api-version.yaml",
            #"""
            id: deprecated-api-version
            category: metadata
            severity: warning
            description: Objects use an API version that is deprecated in the target Kubernetes version.
            remediation: Move the object to the replacement API version named in the message.
            check: DeprecatedAPI
            params:
              mode: deprecated
            equivalents:
              datree: ["18", "19", "90", "91", "92", "93", "94"]
            """#
        ),
        (
            "rules/metadata/duplicate-env-var.yaml",
            #"""
            id: duplicate-env-var
            category: metadata
            severity: warning
            description: Containers define the same environment variable twice; the last one silently wins.
            remediation: Remove the duplicate entry.
            check: DuplicateEnv
            equivalents:
              kube-linter: [duplicate-env-var]
            """#
        ),
        (
            "rules/metadata/missing-required-labels.yaml",
            #"""
            id: missing-required-labels
            category: metadata
            severity: info
            description: Objects lack the labels the platform requires (app.kubernetes.io/name by default).
            remediation: Add the required labels under metadata.labels.
            message: has no app.kubernetes.io/name label
            scope:
              kinds: [Deployment, StatefulSet, DaemonSet, Job, CronJob, Service]
            check: Assert
            params:
              on: object
              assert:
                - {path: 'metadata.labels["app.kubernetes.io/name"]', op: exists}
            """#
        ),
        (
            "rules/metadata/removed-api-version.yaml",
            #"""
            id: removed-api-version
            category: metadata
            severity: error
            description: Objects use an API version the target Kubernetes version no longer serves.
            remediation: Move the object to the replacement API version named in the message.
            check: DeprecatedAPI
            params:
              mode: removed
            equivalents:
              kube-linter: [no-extensions-v1beta]
              datree: ["18", "19", "90", "91", "92", "93", "94", "106", "107", "108", "109", "110", "111"]
            """#
        ),
        (
            "rules/networking/ingress-missing-tls.yaml",
            #"""
            id: ingress-missing-tls
            category: networking
            severity: warning
            description: Ingresses serve plain HTTP without TLS.
            remediation: Add spec.tls with the hosts and a certificate secret.
            message: has no TLS configuration
            scope:
              kinds: [Ingress]
            check: Assert
            params:
              on: object
              assert:
                - {path: spec.tls, op: exists}
            equivalents:
              polaris: [tlsSettingsMissing]
            """#
        ),
        (
            "rules/networking/missing-default-deny-network-policy.yaml",
            #"""
            id: missing-default-deny-network-policy
            category: networking
            severity: warning
            description: "A namespace with workloads has no NetworkPolicy with podSelector: {} that denies both ingress and egress."
            remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress] and no rules, then allow what each workload needs."
            check: DefaultDenyNetworkPolicy
            """#
        ),
        (
            "rules/networking/network-policy-selects-nothing.yaml",
            #"""
            id: network-policy-selects-nothing
            category: networking
            severity: warning
            description: NetworkPolicies select no pods among the linted workloads.
            remediation: Fix the podSelector labels to match the pods the policy is meant for.
            scope:
              kinds: [NetworkPolicy]
            check: DanglingSelector
            params:
              path: spec.podSelector
              form: labelSelector
            equivalents:
              kube-linter: [dangling-networkpolicy]
            """#
        ),
        (
            "rules/networking/node-port-service.yaml",
            #"""
            id: node-port-service
            category: networking
            severity: warning
            description: Services of type NodePort open a port on every node.
            remediation: Use a ClusterIP Service behind an Ingress or a LoadBalancer Service.
            message: opens a port on every node (type NodePort)
            scope:
              kinds: [Service]
              apiGroups: [""]
            check: Assert
            params:
              on: object
              assert:
                - {path: spec.type, op: notEquals, value: NodePort}
            equivalents:
              datree: ["7"]
            """#
        ),
        (
            "rules/networking/pod-not-selected-by-network-policy.yaml",
            #"""
            id: pod-not-selected-by-network-policy
            category: networking
            severity: warning
            description: Workload pods are not selected by any NetworkPolicy for ingress and egress, so all traffic is allowed.
            remediation: Add a NetworkPolicy whose podSelector matches the pods and whose policyTypes cover Ingress and Egress (a default-deny policy does).
            check: NetworkPolicyCoverage
            params:
              directions: [Ingress, Egress]
            equivalents:
              polaris: [missingNetworkPolicy]
              kube-linter: [non-isolated-pod]
            """#
        ),
        (
            "rules/networking/service-selects-nothing.yaml",
            #"""
            id: service-selects-nothing
            category: networking
            severity: warning
            description: Services select no pods among the linted workloads, so they route nowhere.
            remediation: Fix the Service selector to match the pod template labels.
            scope:
              kinds: [Service]
              apiGroups: [""]
            check: DanglingSelector
            params:
              path: spec.selector
              form: map
            equivalents:
              kube-linter: [dangling-service]
            """#
        ),
        (
            "rules/networking/workload-selector-mismatch.yaml",
            #"""
            id: workload-selector-mismatch
            category: networking
            severity: error
            description: Workloads have a selector that does not match their own pod template labels.
            remediation: Make spec.selector match the labels in spec.template.metadata.labels.
            check: WorkloadSelector
            equivalents:
              kube-linter: [mismatching-selector]
            """#
        ),
        (
            "rules/probes/missing-liveness-probe.yaml",
            #"""
            id: missing-liveness-probe
            category: probes
            severity: warning
            description: Containers have no liveness probe.
            remediation: Add a livenessProbe (httpGet on the health endpoint, or tcpSocket on the serving port).
            scope:
              excludeKinds: [Job, CronJob]
              containers: [containers]
            check: Probe
            params:
              probe: livenessProbe
            equivalents:
              polaris: [livenessProbeMissing]
              kube-linter: [no-liveness-probe]
              datree: ["11"]
            """#
        ),
        (
            "rules/probes/missing-readiness-probe.yaml",
            #"""
            id: missing-readiness-probe
            category: probes
            severity: warning
            description: Containers have no readiness probe.
            remediation: Add a readinessProbe (httpGet on the health endpoint, or tcpSocket on the serving port).
            scope:
              excludeKinds: [Job, CronJob]
              containers: [containers]
            check: Probe
            params:
              probe: readinessProbe
            equivalents:
              polaris: [readinessProbeMissing]
              kube-linter: [no-readiness-probe]
              datree: ["12"]
            """#
        ),
        (
            "rules/probes/probe-port-undeclared.yaml",
            #"""
            id: probe-port-undeclared
            category: probes
            severity: error
            description: Probes use a named port the container does not declare.
            remediation: Declare the port under ports with that name, or probe a declared port.
            check: ProbePort
            equivalents:
              kube-linter: [liveness-port, readiness-port, startup-port]
            """#
        ),
        (
            "rules/rbac/cluster-admin-binding.yaml",
            #"""
            id: cluster-admin-binding
            category: rbac
            severity: error
            description: Bindings grant cluster-admin, or a role that allows every verb on every resource.
            remediation: Bind a role with only the permissions the subject needs.
            scope:
              kinds: [ClusterRoleBinding, RoleBinding]
            check: ClusterAdminBinding
            params:
              exemptNames: "system:.*|gce:.*"
            equivalents:
              polaris: [clusterrolebindingClusterAdmin, rolebindingClusterAdminClusterRole]
              kube-linter: [cluster-admin-role-binding]
              datree: ["95"]
            """#
        ),
        (
            "rules/rbac/rbac-create-pods.yaml",
            #"""
            id: rbac-create-pods
            category: rbac
            severity: warning
            description: Roles allow creating pods, which can escalate to any service account in the namespace.
            remediation: Remove create on pods (and on workload resources) unless the subject is a controller.
            scope:
              kinds: [Role, ClusterRole]
            check: RBACRule
            params:
              resources: [pods]
              verbs: [create]
              exemptNames: "system:.*|gce:.*|admin|edit|view|cluster-admin"
            equivalents:
              kube-linter: [access-to-create-pods]
              datree: ["101"]
            """#
        ),
        (
            "rules/rbac/rbac-pod-exec.yaml",
            #"""
            id: rbac-pod-exec
            category: rbac
            severity: warning
            description: Roles allow exec or attach into pods.
            remediation: Remove pods/exec and pods/attach from the role.
            scope:
              kinds: [Role, ClusterRole]
            check: RBACRule
            params:
              resources: [pods/exec, pods/attach]
              verbs: [create, get]
              exemptNames: "system:.*|gce:.*|admin|edit|view|cluster-admin"
            equivalents:
              polaris: [clusterrolePodExecAttach, rolePodExecAttach]
              datree: ["48"]
            """#
        ),
        (
            "rules/rbac/rbac-secret-access.yaml",
            #"""
            id: rbac-secret-access
            category: rbac
            severity: warning
            description: Roles grant read access to Secrets.
            remediation: Grant access to the specific Secrets by resourceNames, or mount them instead.
            scope:
              kinds: [Role, ClusterRole]
            check: RBACRule
            params:
              resources: [secrets]
              verbs: [get, list, watch]
              exemptNames: "system:.*|gce:.*|admin|edit|view|cluster-admin"
            equivalents:
              kube-linter: [access-to-secrets]
              datree: ["96"]
            """#
        ),
        (
            "rules/rbac/rbac-wildcard.yaml",
            #"""
            id: rbac-wildcard
            category: rbac
            severity: warning
            description: Roles grant "*" on API groups, resources or verbs.
            remediation: List the API groups, resources and verbs the subject needs.
            scope:
              kinds: [Role, ClusterRole]
            check: RBACRule
            params:
              wildcard: true
              exemptNames: "system:.*|gce:.*|admin|edit|view|cluster-admin"
            equivalents:
              kube-linter: [wildcard-in-rules]
              datree: ["97"]
            """#
        ),
        (
            "rules/rbac/service-account-missing.yaml",
            #"""
            id: service-account-missing
            category: rbac
            severity: warning
            description: Workloads use a ServiceAccount that is not among the linted objects.
            remediation: Add the ServiceAccount to the manifests or fix serviceAccountName.
            check: ServiceAccountReference
            equivalents:
              kube-linter: [non-existent-service-account]
            """#
        ),
        (
            "rules/resources/jvm-heap-exceeds-memory-limit.yaml",
            #"""
            id: jvm-heap-exceeds-memory-limit
            category: resources
            severity: error
            description: JVM containers set a maximum heap at or above the container memory limit.
            remediation: Lower -Xmx below the memory limit (leave room for metaspace and threads) or use -XX:MaxRAMPercentage.
            check: JVMHeap
            """#
        ),
        (
            "rules/resources/missing-cpu-limit.yaml",
            #"""
            id: missing-cpu-limit
            category: resources
            severity: info
            description: Containers have no CPU limit.
            remediation: Set resources.limits.cpu from observed usage (komply generate sizes it from history).
            message: has no cpu limit
            check: Assert
            params:
              on: container
              assert:
                - {path: resources.limits.cpu, op: exists}
              fix:
                - {path: resources.limits.cpu, value: 500m}
            equivalents:
              polaris: [cpuLimitsMissing]
              kube-linter: [unset-cpu-requirements]
              datree: ["5"]
            """#
        ),
        (
            "rules/resources/missing-cpu-request.yaml",
            #"""
            id: missing-cpu-request
            category: resources
            severity: warning
            description: Containers have no CPU request.
            remediation: Set resources.requests.cpu from observed usage (komply generate sizes it from history).
            message: has no cpu request
            check: Assert
            params:
              on: container
              assert:
                - {path: resources.requests.cpu, op: exists}
              fix:
                - {path: resources.requests.cpu, value: 100m}
            equivalents:
              polaris: [cpuRequestsMissing]
              kube-linter: [unset-cpu-requirements]
              datree: ["3"]
            """#
        ),
        (
            "rules/resources/missing-memory-limit.yaml",
            #"""
            id: missing-memory-limit
            category: resources
            severity: warning
            description: Containers have no memory limit.
            remediation: Set resources.limits.memory from observed usage (komply generate sizes it from history).
            message: has no memory limit
            check: Assert
            params:
              on: container
              assert:
                - {path: resources.limits.memory, op: exists}
              fix:
                - {path: resources.limits.memory, value: 256Mi}
            equivalents:
              polaris: [memoryLimitsMissing]
              kube-linter: [unset-memory-requirements]
              datree: ["4"]
            """#
        ),
        (
            "rules/resources/missing-memory-request.yaml",
            #"""
            id: missing-memory-request
            category: resources
            severity: warning
            description: Containers have no memory request.
            remediation: Set resources.requests.memory from observed usage (komply generate sizes it from history).
            message: has no memory request
            check: Assert
            params:
              on: container
              assert:
                - {path: resources.requests.memory, op: exists}
              fix:
                - {path: resources.requests.memory, value: 128Mi}
            equivalents:
              polaris: [memoryRequestsMissing]
              kube-linter: [unset-memory-requirements]
              datree: ["2"]
            """#
        ),
        (
            "rules/resources/requests-exceed-limits.yaml",
            #"""
            id: requests-exceed-limits
            category: resources
            severity: error
            description: Containers request more CPU or memory than their limit.
            remediation: Lower the request or raise the limit so the request is at most the limit.
            check: RequestsWithinLimits
            """#
        ),
        (
            "rules/secrets/secret-in-configmap.yaml",
            #"""
            id: secret-in-configmap
            category: secrets
            severity: error
            description: ConfigMaps hold plaintext secrets (a key named like a secret, a value with a secret's shape, or a file whose lines hold a private key, a token or a password assignment; see docs/secrets.md).
            remediation: Move the value into a Secret.
            scope:
              kinds: [ConfigMap]
            check: SecretValue
            params:
              target: configMap
            equivalents:
              polaris: [sensitiveConfigmapContent]
            """#
        ),
        (
            "rules/secrets/secret-in-env.yaml",
            #"""
            id: secret-in-env
            category: secrets
            severity: error
            description: Containers carry a plaintext secret in an environment value (secret by name, such as DB_PASSWORD or API_TOKEN, or by shape, such as a URL with a password, a cloud or GitHub token, a JWT or a private key; see docs/secrets.md).
            remediation: Move the value into a Secret and reference it with valueFrom.secretKeyRef.
            check: SecretValue
            params:
              target: env
            equivalents:
              polaris: [sensitiveContainerEnvVar]
              kube-linter: [env-var-secret]
            """#
        ),
        (
            "rules/security/automounted-service-account-token.yaml",
            #"""
            id: automounted-service-account-token
            category: security
            severity: info
            description: Pods mount a service account token they may not need.
            remediation: "Set automountServiceAccountToken: false on the pod (or its ServiceAccount) unless it calls the Kubernetes API."
            check: ServiceAccountToken
            equivalents:
              polaris: [automountServiceAccountToken]
              datree: ["53"]
            """#
        ),
        (
            "rules/security/capabilities-not-dropped.yaml",
            #"""
            id: capabilities-not-dropped
            category: security
            severity: warning
            description: Containers keep the default Linux capabilities instead of dropping ALL.
            remediation: Add ALL to securityContext.capabilities.drop and add back only what the process needs.
            check: Capabilities
            params:
              mode: drop
              capabilities: [ALL]
            equivalents:
              polaris: [insecureCapabilities]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/capability-added-beyond-baseline.yaml",
            #"""
            id: capability-added-beyond-baseline
            category: security
            severity: warning
            description: Containers add a capability outside the Pod Security baseline set.
            remediation: Add only capabilities from the Pod Security baseline list, or none.
            check: Capabilities
            params:
              mode: allowAdd
              capabilities: [AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/capability-added-beyond-restricted.yaml",
            #"""
            id: capability-added-beyond-restricted
            category: security
            severity: info
            description: Containers add a capability other than NET_BIND_SERVICE, which the Pod Security restricted profile forbids.
            remediation: Add no capabilities other than NET_BIND_SERVICE.
            check: Capabilities
            params:
              mode: allowAdd
              capabilities: [NET_BIND_SERVICE]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/dangerous-capability-added.yaml",
            #"""
            id: dangerous-capability-added
            category: security
            severity: error
            description: Containers add a capability that grants control of the host or kernel.
            remediation: Remove the capability from securityContext.capabilities.add.
            check: Capabilities
            params:
              mode: forbidAdd
              capabilities: [ALL, SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_RAWIO, SYS_BOOT, SYS_TIME, DAC_READ_SEARCH, BPF, PERFMON, MAC_ADMIN, MAC_OVERRIDE]
            equivalents:
              polaris: [dangerousCapabilities]
              datree: ["49"]
            """#
        ),
        (
            "rules/security/docker-socket-mount.yaml",
            #"""
            id: docker-socket-mount
            category: security
            severity: error
            description: Pods mount the container runtime socket, which grants root on the node.
            remediation: Remove the hostPath volume for the runtime socket.
            message: mounts the container runtime socket
            check: Assert
            params:
              on: podSpec
              assert:
                - path: "volumes[*].hostPath.path"
                  op: notMatches
                  value: "(/var)?/run/(docker|containerd/containerd|crio/crio|cri-dockerd)\\.sock"
            equivalents:
              kube-linter: [docker-sock]
              datree: ["30"]
            """#
        ),
        (
            "rules/security/host-ipc.yaml",
            #"""
            id: host-ipc
            category: security
            severity: error
            description: Pods share the host's IPC namespace.
            remediation: Remove hostIPC or set it to false.
            message: shares the host's IPC namespace
            check: Assert
            params:
              on: podSpec
              assert:
                - {path: hostIPC, op: notEquals, value: true}
              fix:
                - {path: hostIPC, remove: true}
            equivalents:
              polaris: [hostIPCSet]
              kube-linter: [host-ipc]
              datree: ["27"]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/host-network.yaml",
            #"""
            id: host-network
            category: security
            severity: error
            description: Pods share the host's network namespace.
            remediation: Remove hostNetwork or set it to false.
            message: shares the host's network namespace
            check: Assert
            params:
              on: podSpec
              assert:
                - {path: hostNetwork, op: notEquals, value: true}
              fix:
                - {path: hostNetwork, remove: true}
            equivalents:
              polaris: [hostNetworkSet]
              kube-linter: [host-network]
              datree: ["28"]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/host-path-volume.yaml",
            #"""
            id: host-path-volume
            category: security
            severity: warning
            description: Pods mount a path from the host filesystem.
            remediation: Use a persistentVolumeClaim, configMap, secret or emptyDir volume instead of hostPath.
            message: mounts a hostPath volume
            check: Assert
            params:
              on: podSpec
              assert:
                - {path: "volumes[*].hostPath", op: absent}
            equivalents:
              polaris: [hostPathSet]
              datree: ["46"]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/host-pid.yaml",
            #"""
            id: host-pid
            category: security
            severity: error
            description: Pods share the host's process ID namespace.
            remediation: Remove hostPID or set it to false.
            message: shares the host's process ID namespace
            check: Assert
            params:
              on: podSpec
              assert:
                - {path: hostPID, op: notEquals, value: true}
              fix:
                - {path: hostPID, remove: true}
            equivalents:
              polaris: [hostPIDSet]
              kube-linter: [host-pid]
              datree: ["26"]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/host-port.yaml",
            #"""
            id: host-port
            category: security
            severity: warning
            description: Containers bind a port on the host.
            remediation: Remove hostPort and expose the port through a Service.
            message: binds a host port
            check: Assert
            params:
              on: container
              assert:
                - {path: "ports[*].hostPort", op: in, values: [0], missing: pass}
            equivalents:
              polaris: [hostPortSet]
              datree: ["50"]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/host-process-container.yaml",
            #"""
            id: host-process-container
            category: security
            severity: error
            description: Pods run Windows HostProcess containers with host access.
            remediation: Remove windowsOptions.hostProcess or set it to false.
            message: runs a Windows HostProcess container
            check: Assert
            params:
              on: podSpec
              assert:
                - {path: securityContext.windowsOptions.hostProcess, op: notEquals, value: true}
                - {path: "containers[*].securityContext.windowsOptions.hostProcess", op: notEquals, value: true}
                - {path: "initContainers[*].securityContext.windowsOptions.hostProcess", op: notEquals, value: true}
            equivalents:
              polaris: [hostProcess]
              datree: ["85"]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/missing-seccomp-profile.yaml",
            #"""
            id: missing-seccomp-profile
            category: security
            severity: warning
            description: Containers run without a seccomp profile (RuntimeDefault or Localhost).
            remediation: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod or the container."
            check: SeccompProfile
            equivalents:
              datree: ["61", "99"]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/privilege-escalation-allowed.yaml",
            #"""
            id: privilege-escalation-allowed
            category: security
            severity: error
            description: Containers allow privilege escalation (setuid binaries can gain privileges).
            remediation: "Set securityContext.allowPrivilegeEscalation: false on every container."
            message: allows privilege escalation
            check: Assert
            params:
              on: container
              assert:
                - {path: securityContext.allowPrivilegeEscalation, op: equals, value: false}
              fix:
                - {path: securityContext.allowPrivilegeEscalation, value: false}
            equivalents:
              polaris: [privilegeEscalationAllowed]
              kube-linter: [privilege-escalation-container]
              datree: ["47"]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/privileged-container.yaml",
            #"""
            id: privileged-container
            category: security
            severity: error
            description: Containers run privileged, with full access to the host.
            remediation: Remove securityContext.privileged or set it to false.
            message: runs privileged
            check: Assert
            params:
              on: container
              assert:
                - {path: securityContext.privileged, op: notEquals, value: true}
              fix:
                - {path: securityContext.privileged, value: false}
            equivalents:
              polaris: [runAsPrivileged]
              kube-linter: [privileged-container]
              datree: ["20"]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/privileged-port.yaml",
            #"""
            id: privileged-port
            category: security
            severity: info
            description: Containers listen on a port below 1024 (or below the pod's net.ipv4.ip_unprivileged_port_start sysctl), which needs root or NET_BIND_SERVICE.
            remediation: Listen on a port of 1024 or above and map it in the Service, or set the pod sysctl net.ipv4.ip_unprivileged_port_start to the lowest port the image binds.
            check: PrivilegedPort
            equivalents:
              kube-linter: [privileged-ports]
            """#
        ),
        (
            "rules/security/restricted-volume-type.yaml",
            #"""
            id: restricted-volume-type
            category: security
            severity: warning
            description: Pods use a volume type outside the Pod Security restricted set.
            remediation: Use only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret volumes.
            message: uses a volume type outside the Pod Security restricted set
            check: Assert
            params:
              on: podSpec
              assert:
                - path: "volumes[*]"
                  op: keysIn
                  values: [name, configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/run-as-root.yaml",
            #"""
            id: run-as-root
            category: security
            severity: error
            description: Containers may run as root.
            remediation: "Set securityContext.runAsNonRoot: true (or a non-zero runAsUser) on the container or the pod."
            check: RunAsRoot
            equivalents:
              polaris: [runAsRootAllowed]
              kube-linter: [run-as-non-root]
              datree: ["52"]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/selinux-custom-options.yaml",
            #"""
            id: selinux-custom-options
            category: security
            severity: warning
            description: Pods set SELinux options outside the Pod Security baseline (custom type, user or role).
            remediation: Remove seLinuxOptions.user and role, and use a container_t family type or none.
            message: sets SELinux options outside the baseline
            check: Assert
            params:
              on: podSpec
              assert:
                - {path: "securityContext.seLinuxOptions.type", op: in, values: [container_t, container_init_t, container_kvm_t, container_engine_t], missing: pass}
                - {path: "securityContext.seLinuxOptions.user", op: absent}
                - {path: "securityContext.seLinuxOptions.role", op: absent}
                - {path: "containers[*].securityContext.seLinuxOptions.type", op: in, values: [container_t, container_init_t, container_kvm_t, container_engine_t], missing: pass}
                - {path: "containers[*].securityContext.seLinuxOptions.user", op: absent}
                - {path: "containers[*].securityContext.seLinuxOptions.role", op: absent}
            equivalents:
              datree: ["86"]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/ssh-port-exposed.yaml",
            #"""
            id: ssh-port-exposed
            category: security
            severity: warning
            description: Containers expose port 22 (SSH).
            remediation: Remove the SSH port; use kubectl exec for debugging.
            message: exposes port 22 (SSH)
            check: Assert
            params:
              on: container
              assert:
                - {path: "ports[*].containerPort", op: notEquals, value: 22}
            equivalents:
              kube-linter: [ssh-port]
            """#
        ),
        (
            "rules/security/unsafe-proc-mount.yaml",
            #"""
            id: unsafe-proc-mount
            category: security
            severity: error
            description: Containers unmask /proc (procMount other than Default).
            remediation: Remove securityContext.procMount or set it to Default.
            message: unmasks /proc with a non-default procMount
            check: Assert
            params:
              on: container
              assert:
                - {path: securityContext.procMount, op: in, values: [Default], missing: pass}
            equivalents:
              polaris: [procMount]
              kube-linter: [unsafe-proc-mount]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/unsafe-sysctls.yaml",
            #"""
            id: unsafe-sysctls
            category: security
            severity: warning
            description: Pods set sysctls outside the Pod Security baseline safe set.
            remediation: Set only safe sysctls (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes).
            message: sets a sysctl outside the safe set
            check: Assert
            params:
              on: podSpec
              assert:
                - path: "securityContext.sysctls[*].name"
                  op: in
                  values: [kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes]
            equivalents:
              kube-linter: [unsafe-sysctls]
            references:
              - https://kubernetes.io/docs/concepts/security/pod-security-standards/
            """#
        ),
        (
            "rules/security/writable-root-filesystem.yaml",
            #"""
            id: writable-root-filesystem
            category: security
            severity: warning
            description: Containers can write to their root filesystem.
            remediation: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the image needs to write."
            message: has a writable root filesystem
            check: Assert
            params:
              on: container
              assert:
                - {path: securityContext.readOnlyRootFilesystem, op: equals, value: true}
              fix:
                - {path: securityContext.readOnlyRootFilesystem, value: true}
            equivalents:
              polaris: [notReadOnlyRootFilesystem]
              kube-linter: [no-read-only-root-fs]
              datree: ["45"]
            """#
        ),
        (
            "rules/suppressions/expired-suppression.yaml",
            #"""
            id: expired-suppression
            category: suppressions
            severity: warning
            description: A komply.dev/ignore annotation entry is past its expiry date and no longer applies.
            remediation: Fix the finding, or renew the entry with a new date and reason.
            check: SuppressionAudit
            params:
              mode: expired
            """#
        ),
        (
            "rules/suppressions/invalid-suppression.yaml",
            #"""
            id: invalid-suppression
            category: suppressions
            severity: error
            description: A komply.dev/ignore annotation entry is malformed, names an unknown rule, or names a rule that may not be suppressed.
            remediation: Write entries as rule-id[/container]=reason[ until YYYY-MM-DD] naming a suppressible rule.
            check: SuppressionAudit
            params:
              mode: invalid
            """#
        ),
    ]
}
