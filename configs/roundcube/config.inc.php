<?php
// /etc/roundcube/config.inc.php: mailfort, stack {{stack}}. Roundcube 1.6 (Debian 13) as the
// webmail at https://{{hostname}}/ (docs/webmail.md). Replaces Debian's file; defaults.inc.php
// holds everything not set here.
$config = [];

// State on the data volume, so a new instance keeps users, contacts, settings, sessions and
// second factors. SQLite: no database server to run (memory), one file to back up.
$config['db_dsnw'] = 'sqlite:///{{dataDir}}/webmail/roundcube.sqlite?mode=0640';
// des_key (from SSM through mailfort-secrets, never in the user data) and an AES cipher.
require '/etc/roundcube/mailfort-secrets.inc.php';
$config['cipher_method'] = 'AES-256-CBC';

// The mail servers, on this host only. TLS on loopback too: Dovecot and Postfix refuse auth
// without it (ssl = required, smtpd_tls_auth_only); the certificate names the public hostname,
// which nothing on loopback can impersonate, so its name is not checked here.
$config['imap_host'] = 'ssl://127.0.0.1:993';
$config['imap_conn_options'] = ['ssl' => ['verify_peer' => false, 'verify_peer_name' => false]];
$config['smtp_host'] = 'tls://127.0.0.1:587';
$config['smtp_conn_options'] = ['ssl' => ['verify_peer' => false, 'verify_peer_name' => false]];
$config['smtp_user'] = '%u';
$config['smtp_pass'] = '%p';
// Users sign in with their full address, lowercased like Dovecot's auth_username_format.
$config['login_lc'] = 2;
$config['username_domain_forced'] = false;

// The second factor (mailfort_totp) and app passwords (mailfort_app_passwords).
$config['plugins'] = [{{#if webmailTotp}}'mailfort_totp', {{/if}}{{#if appPasswords}}'mailfort_app_passwords'{{/if}}];
$config['mailfort_app_password_dir'] = '{{dataDir}}/webmail/app-passwords';

// Sessions: short (idle minutes), bound to the client's address, cookies HTTPS-only and
// same-site strict; a new session id at login and again after the second factor.
$config['session_lifetime'] = {{webmailSessionMinutes}};
$config['ip_check'] = true;
$config['use_https'] = true;
$config['session_samesite'] = 'Strict';
$config['login_rate_limit'] = 3;
$config['login_autocomplete'] = 0;
// Framing only by itself (message preview), never by another site.
$config['x_frame_options'] = 'sameorigin';

// Logins, failed ones too, to syslog: the journal, where fail2ban's roundcube-auth jail reads.
$config['log_driver'] = 'syslog';
$config['syslog_id'] = 'roundcube';
$config['log_logins'] = true;
$config['log_session_id'] = 8;

// Nothing leaves the host on the user's behalf: no spell checking service, no remote images, no
// remote CSS; no version in the login page or in sent mail.
$config['enable_spellcheck'] = false;
$config['show_images'] = 0;
$config['display_product_info'] = 0;
$config['useragent'] = null;
$config['product_name'] = '{{hostname}} webmail';
$config['support_url'] = '';
$config['enable_installer'] = false;
$config['skin'] = 'elastic';
$config['dont_override'] = ['skin'];
// One identity per user, its address fixed: Postfix refuses other senders anyway (sender login maps).
$config['identities_level'] = 3;
$config['max_message_size'] = '{{limits.messageSizeMb}}M';
