/**
 * The Node-only entry of @quarkmed/tensor-kernels (`@quarkmed/tensor-kernels/node`): the loader of the
 * native kernel addon used by the `native` backend.
 *
 * @packageDocumentation
 */
export { loadNativeAddon, loadNativeAddonFrom, packageRoot } from './native-addon';
export type { NativeAddon, NativeAddonInfo, NativeAddonLoad } from '../backends/native/addon';
