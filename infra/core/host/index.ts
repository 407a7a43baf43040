// Host rendering: MailConfig + configs/ templates -> the files on the server -> the bootstrap in
// cloud-init user data and the rest in the host bundle (SSM).
export { HOST_BUNDLE_CHUNK_CHARS, HOST_BUNDLE_FORMAT, type HostBundle, packHostBundle, unpackHostBundle } from "./bundle";
export { type HostFile, type HostRendering, renderHost, renderHostFiles } from "./files";
export { checkerRootPackages, hostPackages, webmailPackages } from "./packages";
export { UnsafeValueError, assertSafeView } from "./safe-value";
export { TemplateError, renderTemplateText } from "./template";
export {
  USER_DATA_LIMIT_BYTES, type RenderedHost, UserDataTooLargeError, checkUserDataSize, renderCloudConfig, renderHostConfig, renderUserData,
} from "./user-data";
export { DATA_DIR, type HostView, WATCHED_MOUNTS, hostView } from "./view";
