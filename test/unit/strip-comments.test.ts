// Each shipped file keeps the comment syntax of the program that reads it: a "//" header in an
// Rspamd .inc would be read as a worker attribute, a "#" one in PHP would be sent to the browser.
import { describe, expect, it } from "vitest";
import { stripComments } from "../../infra/core/host/strip-comments";

describe("stripComments, by the file's reader", () => {
  it.each([
    ["rspamd/local.d/worker-controller.inc", "# why\nbind_socket = \"localhost:11334\";\n", /^# mailfort: rendered from configs\/rspamd\/local\.d\/worker-controller\.inc/],
    ["roundcube/plugins/mailfort_app_passwords/localization/en_US.inc", "<?php\n// why\n$labels = [];\n", /^<\?php\n\/\/ mailfort: rendered from/],
    ["roundcube/config.inc.php", "<?php\n// why\n$config = [];\n", /^<\?php\n\/\/ mailfort: rendered from/],
    ["php/webmail-pool.conf", "; why\n[www]\n", /^; mailfort: rendered from/],
    ["dovecot/mailfort-app-passwords.lua", "-- why\nlocal x = 1\n", /^-- mailfort: rendered from/],
    ["apt/52mailfort-unattended", "// why\nUnattended-Upgrade::X \"1\";\n", /^\/\/ mailfort: rendered from/],
  ])("%s: its own comments go, a header in its own syntax comes", (source, text, header) => {
    const out = stripComments(source, text);
    expect(out).toMatch(header);
    expect(out).not.toMatch(/\bwhy\b/);
  });
});
