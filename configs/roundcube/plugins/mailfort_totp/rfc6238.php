<?php
// mailfort: the TOTP verifier (RFC 6238 on HOTP, RFC 4226), on its own so it is tested alone
// against the RFC's test vectors (test/host: php-cli in the Debian 13 root). Debian packages no
// PHP TOTP library; this is the whole algorithm. No Roundcube dependency.

final class mailfort_rfc6238
{
    /** Seconds per step, digits per code, HMAC hash: what every authenticator app defaults to. */
    const PERIOD = 30;
    const DIGITS = 6;
    const ALGORITHM = 'sha1';
    /** RFC 4648 base32, the alphabet of otpauth:// secrets. */
    const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

    /** The time step (RFC 6238 T) of a Unix time. */
    public static function counter(int $time, int $period = self::PERIOD): int
    {
        return intdiv($time, $period);
    }

    /** HOTP value of a counter (RFC 4226 5.3: dynamic truncation), zero-padded to $digits. */
    public static function code(string $key, int $counter, int $digits = self::DIGITS, string $algorithm = self::ALGORITHM): string
    {
        if ($counter < 0 || $digits < 6 || $digits > 10) {
            throw new InvalidArgumentException('counter must be >= 0 and digits 6..10');
        }
        $mac = hash_hmac($algorithm, pack('J', $counter), $key, true);
        $offset = ord($mac[strlen($mac) - 1]) & 0x0f;
        $binary = ((ord($mac[$offset]) & 0x7f) << 24) | (ord($mac[$offset + 1]) << 16)
            | (ord($mac[$offset + 2]) << 8) | ord($mac[$offset + 3]);
        return str_pad((string) ($binary % (10 ** $digits)), $digits, '0', STR_PAD_LEFT);
    }

    /**
     * The time step a code belongs to, or null. Accepts the current step and $window steps either
     * side (clock drift, typing time), but only steps AFTER $last_used: a code, once accepted, is
     * never accepted again (RFC 6238 5.2), nor is any older one.
     */
    public static function verify(string $key, string $code, int $time, int $last_used = -1, int $window = 1): ?int
    {
        if (!preg_match('/^[0-9]{' . self::DIGITS . '}$/D', $code)) {
            return null;
        }
        $now = self::counter($time);
        $match = null;
        // Every candidate is computed and compared in constant time, so timing tells nothing.
        for ($step = $now - $window; $step <= $now + $window; $step++) {
            if ($step > $last_used && $step >= 0 && hash_equals(self::code($key, $step), $code) && $match === null) {
                $match = $step;
            }
        }
        return $match;
    }

    /** A new random secret: 160 bits, RFC 4226's recommended key length for HMAC-SHA1. */
    public static function new_secret(): string
    {
        return random_bytes(20);
    }

    public static function base32_encode(string $binary): string
    {
        $bits = '';
        foreach (str_split($binary) as $byte) {
            $bits .= str_pad(decbin(ord($byte)), 8, '0', STR_PAD_LEFT);
        }
        $out = '';
        foreach (str_split($bits, 5) as $chunk) {
            $out .= self::BASE32[bindec(str_pad($chunk, 5, '0'))];
        }
        return $out;
    }

    /** Base32 to bytes; spaces, hyphens, case and '=' padding are forgiven; null if invalid. */
    public static function base32_decode(string $text): ?string
    {
        $text = strtoupper(preg_replace('/[\s=-]+/', '', $text));
        if ($text === '' || strspn($text, self::BASE32) !== strlen($text)) {
            return null;
        }
        $bits = '';
        foreach (str_split($text) as $char) {
            $bits .= str_pad(decbin(strpos(self::BASE32, $char)), 5, '0', STR_PAD_LEFT);
        }
        $out = '';
        foreach (str_split($bits, 8) as $byte) {
            if (strlen($byte) === 8) {
                $out .= chr(bindec($byte));
            }
        }
        return $out;
    }

    /** The otpauth:// URI authenticator apps read from the QR code (Key Uri Format). */
    public static function uri(string $key, string $account, string $issuer): string
    {
        return 'otpauth://totp/' . rawurlencode($issuer) . ':' . rawurlencode($account)
            . '?secret=' . self::base32_encode($key) . '&issuer=' . rawurlencode($issuer)
            . '&algorithm=SHA1&digits=' . self::DIGITS . '&period=' . self::PERIOD;
    }
}
