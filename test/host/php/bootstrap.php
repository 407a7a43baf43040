<?php
// mailfort test: Roundcube's own CLI bootstrap (as its bin/ scripts do), so the plugins' code runs
// against the real configuration, database layer and des_key of the Debian 13 root.
define('INSTALL_PATH', '/var/lib/roundcube/');
require_once INSTALL_PATH . 'program/include/clisetup.php';
require_once INSTALL_PATH . 'plugins/mailfort_totp/rfc6238.php';
require_once INSTALL_PATH . 'plugins/mailfort_totp/totp_store.php';
require_once INSTALL_PATH . 'plugins/mailfort_app_passwords/app_password_store.php';

function raises(callable $f): ?string
{
    try {
        $f();
        return null;
    } catch (Throwable $e) {
        return get_class($e) . ': ' . $e->getMessage();
    }
}
