<?php
// mailfort test: the sealed second-factor store on the webmail's real SQLite database. Prints JSON.
require __DIR__ . '/bootstrap.php';
$rc = rcube::get_instance();
$db = $rc->get_dbh();
$store = new mailfort_totp_store($db, $rc->config->get('des_key'));
$secret = mailfort_rfc6238::new_secret();
$codes = $store->enrol(1, $secret, 1000);
$loaded = $store->load(1);
$raw = file_get_contents('/srv/mailfort/webmail/roundcube.sqlite');
$leaks = array_filter(array_merge([mailfort_rfc6238::base32_encode($secret), base64_encode($secret), bin2hex($secret)], $codes), fn($s) => strpos($raw, $s) !== false);

$state = $loaded['state'];
$state['last_step'] = 1001;
$first = $store->swap(1, $loaded, $state);
$state['last_step'] = 1002;
$stale = $store->swap(1, $loaded, $state);

// A record copied onto another user, and the same database under another des_key.
$db->query('INSERT OR REPLACE INTO mailfort_totp (user_id, sealed, changed) SELECT 2, sealed, changed FROM mailfort_totp WHERE user_id = 1');
$other_key = new mailfort_totp_store($db, 'AnotherDesKey0123456789abcdefghijklmn');
echo json_encode([
    'codes' => $codes,
    'secret_back' => $loaded['state']['secret'] === base64_encode($secret),
    'last_step' => $loaded['state']['last_step'],
    'recovery_hashes' => count($loaded['state']['recovery']),
    'recovery_matches' => in_array(mailfort_totp_store::recovery_hash(strtoupper(str_replace('-', ' ', $codes[3]))), $loaded['state']['recovery'], true),
    'leaks' => array_values($leaks),
    'first_swap' => $first,
    'stale_swap' => $stale,
    'after_swaps' => $store->load(1)['state']['last_step'],
    'copied_to_user_2' => raises(fn() => $store->load(2)),
    'other_des_key' => raises(fn() => $other_key->load(1)),
    'not_enrolled' => $store->load(3),
]);
