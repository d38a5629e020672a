/** Reading libtorch's version out of its build configuration text. @module */

/** The libtorch version in `at::show_config()` text (`TORCH_VERSION=2.13.0`), or undefined. */
export function torchVersionOf(runtimeConfig: string): string | undefined {
  return /TORCH_VERSION=([0-9][^,\s]*)/.exec(runtimeConfig)?.[1];
}

/** True when two versions agree up to their local suffix (`2.13.0+cpu` and `2.13.0` do). */
export function sameTorchRelease(a: string, b: string): boolean {
  return a.split('+')[0] === b.split('+')[0];
}
