export const CHECK_RUN_NAME = "PatchPlane"
