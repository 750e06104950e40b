// The browser's calls to the control plane API (same origin, the visitor's
// own cookies). Failures carry the API's error code and message.
export class ApiFailure extends Error {
  readonly status: number
  readonly code: string
  readonly path: string | undefined
  constructor(status: number, code: string, message: string, path?: string) {
    super(message)
    this.status = status
    this.code = code
    this.path = path
  }
}

const parse = async <T>(response: Response): Promise<T> => {
  const text = await response.text()
  let body: unknown = null
  try {
    body = text === "" ? null : JSON.parse(text)
  } catch {
    // Not JSON: reported below with the status.
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; path?: string } } | null)
      ?.error
    throw new ApiFailure(
      response.status,
      error?.code ?? "http_error",
      error?.message ?? `the server answered ${response.status}`,
      error?.path,
    )
  }
  return body as T
}

export const apiGet = async <T>(path: string, signal?: AbortSignal): Promise<T> =>
  parse<T>(
    await fetch(path, {
      credentials: "same-origin",
      headers: { accept: "application/json" },
      cache: "no-store",
      ...(signal === undefined ? {} : { signal }),
    }),
  )

export const apiPost = async <T>(path: string, body: unknown = {}): Promise<T> =>
  parse<T>(
    await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    }),
  )

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error)
