// The reviewers by name, in the domain's order.
import type { ReviewerName } from "@patchplane/domain"
import { lintReviewer } from "./lint.ts"
import { qualityReviewer } from "./quality.ts"
import { securityReviewer } from "./security.ts"
import { testsReviewer } from "./tests.ts"
import type { Reviewer } from "./types.ts"

export const reviewers: Readonly<Record<ReviewerName, Reviewer>> = {
  lint: lintReviewer,
  tests: testsReviewer,
  security: securityReviewer,
  quality: qualityReviewer,
}
