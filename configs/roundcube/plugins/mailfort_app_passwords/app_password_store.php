<?php
// mailfort: a mailbox's app passwords, in the files Dovecot's passdb (mailfort-app-passwords.lua)
// reads: <dir>/<domain>/<local part>, one line per password: id, created (Unix time), hash
// ({BLF-CRYPT}), name (base64). Only hashes are kept. The id is the password's first group, so
// Dovecot checks one hash per login, not all of them. Dovecot notes each use in
// <dir>/<domain>/<local part>.<id>.used (made empty here). The list is replaced atomically.

final class mailfort_app_password_store
{
    /** 32 letters and digits without the look-alikes 0/o and 1/l: five groups of four. */
    const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
    const MAX_PER_MAILBOX = 20;
    const NAME_MAX = 40;

    private $file;

    public function __construct(string $dir, string $address)
    {
        // The same strict shape as the host's other address checks: no '/', no leading dot.
        if (!preg_match('/^([a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?)@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$/D', $address, $m)) {
            throw new InvalidArgumentException('not a mailbox address: ' . $address);
        }
        $this->file = $dir . '/' . $m[2] . '/' . $m[1];
    }

    /** [id => ['name', 'created', 'last_used' (or null)]], oldest first. */
    public function all(): array
    {
        $out = [];
        foreach ($this->lines() as [$id, $created, , $name]) {
            $used = trim((string) @file_get_contents($this->file . '.' . $id . '.used'));
            $out[$id] = ['name' => base64_decode($name), 'created' => (int) $created, 'last_used' => $used === '' ? null : (int) $used];
        }
        return $out;
    }

    /** A new app password for a device; returns the password, which is never stored or shown again. */
    public function create(string $name): string
    {
        return $this->locked(fn() => $this->create_locked($name));
    }

    public function revoke(string $id): bool
    {
        return $this->locked(fn() => $this->revoke_locked($id));
    }

    /** Read-modify-write under one lock per mailbox, so two requests never lose each other's change. */
    private function locked(callable $change)
    {
        $dir = dirname($this->file);
        if (!is_dir($dir) && !mkdir($dir, 0750, true) && !is_dir($dir)) {
            throw new RuntimeException('cannot create ' . $dir);
        }
        $lock = fopen($this->file . '.lock', 'c');
        if ($lock === false || !flock($lock, LOCK_EX)) {
            throw new RuntimeException('cannot lock ' . $this->file);
        }
        try {
            return $change();
        } finally {
            flock($lock, LOCK_UN);
            fclose($lock);
        }
    }

    private function create_locked(string $name): string
    {
        $name = trim(preg_replace('/[\x00-\x1f\x7f]+/', ' ', $name));
        if ($name === '' || mb_strlen($name) > self::NAME_MAX) {
            throw new InvalidArgumentException('a name of 1 to ' . self::NAME_MAX . ' characters is needed');
        }
        $lines = $this->lines();
        if (count($lines) >= self::MAX_PER_MAILBOX) {
            throw new RuntimeException('at most ' . self::MAX_PER_MAILBOX . ' app passwords per mailbox: revoke one first');
        }
        $taken = array_column($lines, 0);
        do {
            $groups = [];
            for ($g = 0; $g < 5; $g++) {
                $group = '';
                for ($i = 0; $i < 4; $i++) {
                    $group .= self::ALPHABET[random_int(0, 31)];
                }
                $groups[] = $group;
            }
        } while (in_array($groups[0], $taken, true));
        $password = implode('-', $groups);
        $lines[] = [$groups[0], (string) time(), '{BLF-CRYPT}' . password_hash($password, PASSWORD_BCRYPT, ['cost' => 10]), base64_encode($name)];
        // Dovecot notes each use in this file; made here, so it stays the webmail's to read and remove.
        $used = $this->file . '.' . $groups[0] . '.used';
        if (file_put_contents($used, '') !== 0 || !chmod($used, 0660)) {
            throw new RuntimeException('cannot create ' . $used);
        }
        $this->write($lines);
        return $password;
    }

    private function revoke_locked(string $id): bool
    {
        $lines = $this->lines();
        $kept = array_values(array_filter($lines, fn($l) => $l[0] !== $id));
        if (count($kept) === count($lines)) {
            return false;
        }
        $this->write($kept);
        @unlink($this->file . '.' . $id . '.used');
        return true;
    }

    private function lines(): array
    {
        $text = @file_get_contents($this->file);
        $out = [];
        foreach ($text === false ? [] : explode("\n", $text) as $line) {
            $f = explode("\t", $line);
            if (count($f) === 4 && preg_match('/^[a-z2-9]{4}$/D', $f[0])) {
                $out[] = $f;
            }
        }
        return $out;
    }

    private function write(array $lines): void
    {
        $tmp = $this->file . '.tmp' . bin2hex(random_bytes(4));
        $text = implode('', array_map(fn($l) => implode("\t", $l) . "\n", $lines));
        if (file_put_contents($tmp, $text, LOCK_EX) !== strlen($text) || !chmod($tmp, 0640) || !rename($tmp, $this->file)) {
            @unlink($tmp);
            throw new RuntimeException('cannot write ' . $this->file);
        }
    }
}
