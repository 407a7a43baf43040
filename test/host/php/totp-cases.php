<?php
// mailfort test: the TOTP verifier (configs/roundcube/plugins/mailfort_totp/rfc6238.php) run by
// Debian 13's php-cli. Prints JSON; test/host/webmail.test.ts holds the expectations (RFC 6238
// Appendix B's table among them), so this file only computes.
require '/var/lib/roundcube/plugins/mailfort_totp/rfc6238.php';

$seeds = ['sha1' => '12345678901234567890', 'sha256' => '12345678901234567890123456789012',
    'sha512' => '1234567890123456789012345678901234567890123456789012345678901234'];
$vectors = [];
foreach ([59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000] as $t) {
    foreach ($seeds as $algorithm => $key) {
        $vectors["$t $algorithm"] = mailfort_rfc6238::code($key, mailfort_rfc6238::counter($t), 8, $algorithm);
    }
}
$key = $seeds['sha1'];
$t = 1111111111;
$now = mailfort_rfc6238::counter($t);
$code = fn($step) => mailfort_rfc6238::code($key, $step);
$secret = random_bytes(20);
echo json_encode([
    'vectors' => $vectors,
    'now' => mailfort_rfc6238::verify($key, $code($now), $t) === $now,
    'previous' => mailfort_rfc6238::verify($key, $code($now - 1), $t) === $now - 1,
    'next' => mailfort_rfc6238::verify($key, $code($now + 1), $t) === $now + 1,
    'two_steps_old' => mailfort_rfc6238::verify($key, $code($now - 2), $t),
    'two_steps_ahead' => mailfort_rfc6238::verify($key, $code($now + 2), $t),
    'replayed' => mailfort_rfc6238::verify($key, $code($now), $t, $now),
    'older_than_used' => mailfort_rfc6238::verify($key, $code($now - 1), $t, $now),
    'newer_than_used' => mailfort_rfc6238::verify($key, $code($now + 1), $t, $now) === $now + 1,
    'malformed' => array_map(fn($c) => mailfort_rfc6238::verify($key, $c, $t), ['', '12345', '1234567', ' ' . $code($now), $code($now) . "\n", 'abcdef', '-12345']),
    'other_key' => mailfort_rfc6238::verify(str_repeat('x', 20), $code($now), $t),
    'base32_roundtrip' => mailfort_rfc6238::base32_decode(mailfort_rfc6238::base32_encode($secret)) === $secret,
    'base32_forgiving' => mailfort_rfc6238::base32_decode('gezd gnbv-gy3t qojq====') === '1234567890',
    'base32_invalid' => [mailfort_rfc6238::base32_decode('GEZ1'), mailfort_rfc6238::base32_decode('')],
    'rfc4648' => mailfort_rfc6238::base32_encode('foobar'),
    'uri' => mailfort_rfc6238::uri('12345678901234567890', 'alice@example.com', 'mail.example.com webmail'),
]);
