<?php
// mailfort: a user's second factor as stored: the TOTP secret, the last time step used, the
// recovery code hashes and the recent failures, as one record per user in the webmail's database
// (on the data volume, so a new instance keeps it). The record is sealed with libsodium's
// secretbox (authenticated encryption) under a key derived from Roundcube's des_key, which comes
// from SSM and never touches the data volume: a copy of the volume alone reveals no secret.
// Updates are compare-and-swap on the sealed text, so two requests racing with the same code
// cannot both use it.

final class mailfort_totp_store
{
    /** Recovery codes made at enrolment; each works once, in place of a code. */
    const RECOVERY_CODES = 10;
    /** Wrong codes per user within FAILURE_WINDOW before every code is refused for that long. */
    const MAX_FAILURES = 10;
    const FAILURE_WINDOW = 900;

    private $db;
    private $key;

    public function __construct(rcube_db $db, string $des_key)
    {
        $this->db = $db;
        // Key separation: the TOTP key is not the session cipher's key, though both come from des_key.
        $this->key = hash_hmac('sha256', 'mailfort-totp-store-v1', $des_key, true);
        $this->db->query('CREATE TABLE IF NOT EXISTS mailfort_totp (user_id INTEGER PRIMARY KEY, sealed TEXT NOT NULL, changed INTEGER NOT NULL)');
    }

    /** The user's state and its sealed text (for the swap), or null when not enrolled. */
    public function load(int $user_id): ?array
    {
        $row = $this->db->fetch_assoc($this->db->query('SELECT sealed FROM mailfort_totp WHERE user_id = ?', $user_id));
        if (!$row) {
            return null;
        }
        $state = $this->open($row['sealed'], $user_id);
        if ($state === null) {
            throw new RuntimeException("mailfort_totp: the record of user $user_id does not decrypt (des_key changed?)");
        }
        return ['state' => $state, 'sealed' => $row['sealed']];
    }

    /** Enrol: a confirmed secret and fresh recovery codes; returns the codes (shown once, stored hashed). */
    public function enrol(int $user_id, string $secret, int $used_step): array
    {
        $codes = [];
        for ($i = 0; $i < self::RECOVERY_CODES; $i++) {
            $codes[] = implode('-', str_split(strtolower(mailfort_rfc6238::base32_encode(random_bytes(5))), 4));
        }
        $state = ['secret' => base64_encode($secret), 'last_step' => $used_step,
            'recovery' => array_map([self::class, 'recovery_hash'], $codes), 'failures' => []];
        $this->db->query('INSERT OR REPLACE INTO mailfort_totp (user_id, sealed, changed) VALUES (?, ?, ?)',
            $user_id, $this->seal($state, $user_id), time());
        return $codes;
    }

    /** Replace $old (as loaded) by $state only if nobody changed it meanwhile; false if someone did. */
    public function swap(int $user_id, array $old, array $state): bool
    {
        $result = $this->db->query('UPDATE mailfort_totp SET sealed = ?, changed = ? WHERE user_id = ? AND sealed = ?',
            $this->seal($state, $user_id), time(), $user_id, $old['sealed']);
        return $this->db->affected_rows($result) === 1;
    }

    public function remove(int $user_id): void
    {
        $this->db->query('DELETE FROM mailfort_totp WHERE user_id = ?', $user_id);
    }

    public static function recovery_hash(string $code): string
    {
        return hash('sha256', strtolower(preg_replace('/[\s-]+/', '', $code)));
    }

    /** Failures inside the window, oldest first, and whether the user is throttled now. */
    public static function recent_failures(array $state, int $now): array
    {
        return array_values(array_filter($state['failures'] ?? [], fn($t) => $t > $now - self::FAILURE_WINDOW));
    }

    private function seal(array $state, int $user_id): string
    {
        $nonce = random_bytes(SODIUM_CRYPTO_SECRETBOX_NONCEBYTES);
        // The user id is bound into the key: a record copied onto another user does not open.
        $key = hash_hmac('sha256', (string) $user_id, $this->key, true);
        return base64_encode($nonce . sodium_crypto_secretbox(json_encode($state), $nonce, $key));
    }

    private function open(string $sealed, int $user_id): ?array
    {
        $raw = base64_decode($sealed, true);
        if ($raw === false || strlen($raw) <= SODIUM_CRYPTO_SECRETBOX_NONCEBYTES) {
            return null;
        }
        $key = hash_hmac('sha256', (string) $user_id, $this->key, true);
        $plain = sodium_crypto_secretbox_open(substr($raw, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES), substr($raw, 0, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES), $key);
        return $plain === false ? null : json_decode($plain, true);
    }
}
