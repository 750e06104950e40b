/**
 * The name of PatchPlane's check run on a pull request's head: the check a
 * branch protection rule requires, and how a re-run request is known as ours.
 */
export const CHECK_RUN_NAME = "PatchPlane"
