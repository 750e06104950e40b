// A target repository's policy file (.github/patchplane.yml), decoded and
// checked against the operator's allow-list. Its own package because both the
// control plane and the Action decode it, and it needs `yaml`, which the
// domain package does not take.
export * from "./agent-choice.ts"
export * from "./repo-policy.ts"
