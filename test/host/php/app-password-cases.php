<?php
// mailfort test: the app-password store as the webmail uses it. `create ADDRESS NAME` and
// `revoke ADDRESS ID` change it (printing the new password or the result); without arguments,
// the store's own rules are exercised and reported as JSON.
require __DIR__ . '/bootstrap.php';
$dir = rcube::get_instance()->config->get('mailfort_app_password_dir');
[, $command, $address, $arg] = $argv + [null, null, null, null];
if ($command === 'create') {
    echo (new mailfort_app_password_store($dir, $address))->create($arg);
    exit;
}
if ($command === 'revoke') {
    echo json_encode((new mailfort_app_password_store($dir, $address))->revoke($arg));
    exit;
}
if ($command === 'list') {
    echo json_encode((new mailfort_app_password_store($dir, $address))->all());
    exit;
}
$store = new mailfort_app_password_store($dir, 'carol@second.test');
$made = [];
for ($i = 0; $i < mailfort_app_password_store::MAX_PER_MAILBOX; $i++) {
    $made[] = $store->create("device $i");
}
$listed = $store->all();
$file = file_get_contents($dir . '/second.test/carol');
echo json_encode([
    'formats' => array_values(array_unique(array_map(fn($p) => preg_match('/^[a-km-np-z2-9]{4}(-[a-km-np-z2-9]{4}){4}$/', $p), $made))),
    'ids_unique' => count(array_unique(array_map(fn($p) => substr($p, 0, 4), $made))) === count($made),
    'listed' => count($listed),
    'names' => array_column(array_values($listed), 'name'),
    'never_used' => array_values(array_unique(array_column(array_values($listed), 'last_used'))),
    'plain_in_file' => array_values(array_filter($made, fn($p) => strpos($file, $p) !== false)),
    'hashes' => preg_match_all('/\t\{BLF-CRYPT\}\$2y\$10\$/', $file),
    'mode' => sprintf('%o', fileperms($dir . '/second.test/carol') & 0777),
    'over_limit' => raises(fn() => $store->create('one too many')),
    'revoked' => $store->revoke(substr($made[0], 0, 4)),
    'revoked_again' => $store->revoke(substr($made[0], 0, 4)),
    'after_revoke' => count($store->all()),
    'empty_name' => raises(fn() => $store->create('   ')),
    'long_name' => raises(fn() => $store->create(str_repeat('x', 41))),
    'control_name' => (function () use ($store) { $store->revoke(substr($store->create("tab\there\nnew"), 0, 4)); return true; })(),
    'hostile_addresses' => array_map(fn($a) => raises(fn() => new mailfort_app_password_store('/tmp', $a)) !== null,
        ['../etc@x.test', 'a/b@x.test', 'alice@../x.test', '.alice@x.test', 'alice@x.test/..', "alice@x.test\n", 'ALICE@X.TEST']),
]);
