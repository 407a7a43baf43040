// Host rendering: MailConfig + configs/ templates -> the files on the server -> cloud-init user data.
export { type HostFile, renderHostFiles } from "./files";
export { checkerRootPackages, hostPackages } from "./packages";
export { UnsafeValueError, assertSafeView } from "./safe-value";
export { TemplateError, renderTemplateText } from "./template";
export { USER_DATA_LIMIT_BYTES, UserDataTooLargeError, checkUserDataSize, renderCloudConfig, renderUserData } from "./user-data";
export { DATA_DIR, type HostView, WATCHED_MOUNTS, hostView } from "./view";
