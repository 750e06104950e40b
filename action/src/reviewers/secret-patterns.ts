// Credentials that must never be committed. Specific token formats only (a
// generic "password =" would drown the signal); a private key header is
// enough on its own.
export interface SecretPattern {
  readonly name: string
  readonly pattern: RegExp
}

export const secretPatterns: ReadonlyArray<SecretPattern> = [
  {
    name: "private key",
    pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY( BLOCK)?-----/,
  },
  { name: "GitHub token", pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b/ },
  { name: "GitHub fine-grained token", pattern: /\bgithub_pat_[A-Za-z0-9_]{60,}\b/ },
  { name: "AWS access key id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  {
    name: "AWS secret access key",
    pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}\b/i,
  },
  { name: "Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  {
    name: "Slack webhook",
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/,
  },
  { name: "Stripe secret key", pattern: /\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\b/ },
  { name: "Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  {
    name: "OpenAI API key",
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b/,
  },
  { name: "Anthropic API key", pattern: /\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}\b/ },
  { name: "npm token", pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { name: "PyPI token", pattern: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}\b/ },
  { name: "GitLab token", pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { name: "Twilio API key", pattern: /\bSK[0-9a-f]{32}\b/ },
  { name: "SendGrid API key", pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/ },
]

/** The matched text reduced to its first characters: logs and annotations must not repeat it. */
export const redact = (secret: string) => `${secret.slice(0, 4)}…(${secret.length} chars)`

export const findSecrets = (
  text: string,
): ReadonlyArray<{ readonly name: string; readonly redacted: string }> =>
  secretPatterns.flatMap(({ name, pattern }) => {
    const match = pattern.exec(text)
    return match === null ? [] : [{ name, redacted: redact(match[0]) }]
  })
