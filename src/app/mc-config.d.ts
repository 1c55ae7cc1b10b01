// mcconfig generates "mc/config" from the manifests' "config" sections. Only
// this file's repo-wide type check needs the declaration: mcconfig resolves the
// module to the SDK's own typings.
declare module "mc/config" {
  const config: { readonly board: string; readonly gateId?: number | string };
  export default config;
}
