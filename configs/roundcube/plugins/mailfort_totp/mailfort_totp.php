<?php
// mailfort: the webmail's enforced second factor (TOTP, RFC 6238). The ONE choke point is the
// `startup` hook, which Roundcube runs on every request to index.php before any task or action
// (mail, AJAX, attachments, downloads, settings, addressbook, utils): a session that has passed
// the password but not the code gets this plugin's page and nothing else. As a second wall, the
// IMAP password stays out of the session until the code is right, so nothing could open the
// mailbox even past the hook. nginx hands PHP no other script than index.php.

require_once __DIR__ . '/rfc6238.php';
require_once __DIR__ . '/totp_store.php';

class mailfort_totp extends rcube_plugin
{
    const ACTION = 'mailfort-totp';
    /** Wrong codes in one session before the session is ended (fail2ban bans across sessions). */
    const SESSION_ATTEMPTS = 5;

    private $rc;
    /** What the page shows: enrolled or not, an error, the recovery codes once. */
    private $view = ['enrolled' => false, 'error' => null, 'recovery' => null];

    public function init()
    {
        $this->rc = rcmail::get_instance();
        $this->add_hook('startup', [$this, 'startup']);
        $this->add_hook('login_after', [$this, 'login_after']);
        $this->register_handler('plugin.mailfort_totp_body', [$this, 'body']);
    }

    /** Password accepted: hold the IMAP credential back and send the browser to the code form. */
    public function login_after($args)
    {
        $_SESSION['mailfort_totp'] = 'pending';
        $_SESSION['mailfort_totp_password'] = $_SESSION['password'] ?? null;
        unset($_SESSION['password']);
        return ['_task' => 'login', '_action' => self::ACTION];
    }

    public function startup($args)
    {
        if (empty($_SESSION['user_id']) || ($_SESSION['mailfort_totp'] ?? '') === 'verified') {
            return $args;
        }
        // Password only. Leaving (logout) and starting over (a new login) are the only ways out.
        if ($args['task'] === 'logout' || ($args['task'] === 'login' && $args['action'] === 'login')) {
            return $args;
        }
        // index.php checks the session's auth cookie only for tasks other than login: do it here.
        if (!$this->rc->session->check_auth()) {
            $this->rc->kill_session();
            $this->leave(['_err' => 'session']);
        }
        $own = $args['task'] === 'login' && $args['action'] === self::ACTION;
        if (!$own || $this->rc->output->ajax_call || !empty($_REQUEST['_framed'])) {
            if ($this->rc->output->ajax_call || !empty($_REQUEST['_remote'])) {
                http_response_code(403);
                header('Content-Type: application/json');
                exit('{"error":"second factor required"}');
            }
            $this->leave(['_task' => 'login', '_action' => self::ACTION]);
        }
        $this->page();
        exit;
    }

    private function page(): void
    {
        $store = new mailfort_totp_store($this->rc->get_dbh(), $this->rc->config->get('des_key'));
        $user_id = (int) $_SESSION['user_id'];
        $enrolled = $store->load($user_id);
        $code = trim((string) rcube_utils::get_input_string('_code', rcube_utils::INPUT_POST));
        $this->view = ['enrolled' => $enrolled !== null, 'error' => null, 'recovery' => null];

        if ($_SERVER['REQUEST_METHOD'] === 'POST') {
            if (!$this->rc->check_request(rcube_utils::INPUT_POST)) {
                $this->leave(['_task' => 'login', '_action' => self::ACTION]);
            }
            $ok = $enrolled ? $this->check_code($store, $user_id, $enrolled, $code) : $this->confirm_enrolment($store, $user_id, $code);
            if ($ok) {
                $this->complete();
                if ($this->view['recovery'] === null) {
                    $this->leave(['_task' => 'mail']);
                }
            } else {
                $this->failed($code);
            }
        }
        if (!$enrolled && empty($_SESSION['mailfort_totp_enrol'])) {
            $_SESSION['mailfort_totp_enrol'] = base64_encode(mailfort_rfc6238::new_secret());
        }
        $this->rc->output->set_pagetitle('Two-step sign-in');
        $this->rc->output->send('mailfort_totp.totp');
    }

    /** A code (or an unused recovery code) of an enrolled user; the step or code is then spent. */
    private function check_code(mailfort_totp_store $store, int $user_id, array $loaded, string $code): bool
    {
        $state = $loaded['state'];
        $now = time();
        $failures = mailfort_totp_store::recent_failures($state, $now);
        if (count($failures) >= mailfort_totp_store::MAX_FAILURES) {
            $this->view['error'] = 'Too many wrong codes for this account: try again in a few minutes.';
            return false; // even a right code: the account's window is closed
        }
        $step = mailfort_rfc6238::verify(base64_decode($state['secret']), $code, $now, (int) $state['last_step']);
        $recovery = array_search(mailfort_totp_store::recovery_hash($code), $state['recovery'], true);
        if ($step !== null) {
            $state['last_step'] = $step;
        } elseif ($recovery !== false && strlen($code) >= 8) {
            array_splice($state['recovery'], $recovery, 1);
        } else {
            $state['failures'] = array_merge($failures, [$now]);
            $store->swap($user_id, $loaded, $state);
            $this->view['error'] = 'That code is not right (or was already used).';
            return false;
        }
        $state['failures'] = [];
        // Lost the race to a parallel request with the same code: that one spent it.
        if (!$store->swap($user_id, $loaded, $state)) {
            $this->view['error'] = 'That code was already used.';
            return false;
        }
        return true;
    }

    /** First sign-in: the code proves the app holds the secret; then the secret is stored. */
    private function confirm_enrolment(mailfort_totp_store $store, int $user_id, string $code): bool
    {
        $secret = base64_decode($_SESSION['mailfort_totp_enrol'] ?? '');
        $step = $secret ? mailfort_rfc6238::verify($secret, $code, time()) : null;
        if ($step === null) {
            $this->view['error'] = 'That code is not right: check the clock of the device with the app.';
            return false;
        }
        $this->view['recovery'] = $store->enrol($user_id, $secret, $step);
        unset($_SESSION['mailfort_totp_enrol']);
        return true;
    }

    /** Second factor passed: the session gets its IMAP credential and a new id. */
    private function complete(): void
    {
        $_SESSION['password'] = $_SESSION['mailfort_totp_password'];
        unset($_SESSION['mailfort_totp_password'], $_SESSION['mailfort_totp_failures']);
        $_SESSION['mailfort_totp'] = 'verified';
        $this->rc->session->regenerate_id(false);
        $this->rc->session->set_auth_cookie();
        $this->rc->plugins->exec_hook('mailfort_totp_verified', ['user' => $this->rc->get_user_name()]);
    }

    /** Logged where fail2ban's roundcube-auth jail reads, like a wrong password. */
    private function failed(string $code): void
    {
        rcube::write_log('userlogins', sprintf('Failed second factor for %s from %s in session %s',
            $this->rc->get_user_name(), rcube_utils::remote_ip(), substr(session_id(), 0, 16)));
        $_SESSION['mailfort_totp_failures'] = ($_SESSION['mailfort_totp_failures'] ?? 0) + 1;
        if ($_SESSION['mailfort_totp_failures'] >= self::SESSION_ATTEMPTS) {
            $this->rc->kill_session();
            $this->leave(['_err' => 'session']);
        }
    }

    private function leave(array $query): void
    {
        header('Location: ' . $this->rc->url($query, true));
        exit;
    }

    /** The page's body: enrolment (QR code and text secret), recovery codes once, or the code form. */
    public function body(): string
    {
        $q = 'rcube::Q';
        $user = $this->rc->get_user_name();
        $html = html::tag('h1', null, $q('Two-step sign-in'));
        if ($this->view['recovery'] !== null) {
            $list = implode('', array_map(fn($c) => html::tag('li', ['class' => 'mailfort-recovery-code'], html::tag('code', null, $q($c))), $this->view['recovery']));
            return $html . html::p(null, $q('Your authenticator app is set up. These recovery codes each sign you in once without the app. They are shown only now: store them somewhere safe.'))
                . html::tag('ol', ['id' => 'mailfort-recovery-codes'], $list)
                . html::a(['href' => $this->rc->url(['_task' => 'mail']), 'class' => 'button mainaction', 'id' => 'mailfort-totp-continue'], $q('Continue to your mail'));
        }
        if (!$this->view['enrolled']) {
            $secret = base64_decode($_SESSION['mailfort_totp_enrol']);
            $issuer = $this->rc->config->get('product_name', 'mailfort');
            $uri = mailfort_rfc6238::uri($secret, $user, $issuer);
            $html .= html::p(null, $q('This account needs a second step at every sign-in. Scan the code with an authenticator app (or type the key), then enter the 6-digit code it shows.'))
                . html::div(['id' => 'mailfort-totp-qr', 'class' => 'mailfort-totp-qr'], self::qr_svg($uri))
                . html::p(null, $q('Key: ') . html::tag('code', ['id' => 'mailfort-totp-secret'], $q(implode(' ', str_split(mailfort_rfc6238::base32_encode($secret), 4)))));
        } else {
            $html .= html::p(null, $q('Enter the 6-digit code from your authenticator app for ' . $user . ', or one of your recovery codes.'));
        }
        if ($this->view['error']) {
            $html .= html::p(['class' => 'alert alert-danger', 'id' => 'mailfort-totp-error', 'role' => 'alert'], $q($this->view['error']));
        }
        $form = html::tag('input', ['type' => 'hidden', 'name' => '_token', 'value' => $this->rc->get_request_token()])
            . html::label(['for' => 'mailfort-totp-code'], $q('Code'))
            . html::tag('input', ['type' => 'text', 'name' => '_code', 'id' => 'mailfort-totp-code', 'class' => 'form-control',
                'autocomplete' => 'one-time-code', 'required' => 'required', 'autofocus' => 'autofocus', 'maxlength' => 16])
            . html::tag('button', ['type' => 'submit', 'class' => 'button mainaction', 'id' => 'mailfort-totp-submit'], $q('Verify'));
        return $html . html::tag('form', ['method' => 'post', 'action' => $this->rc->url(['_task' => 'login', '_action' => self::ACTION]), 'id' => 'mailfort-totp-form'], $form)
            . html::a(['href' => $this->rc->url(['_task' => 'logout', '_token' => $this->rc->get_request_token()])], $q('Sign out'));
    }

    /** The QR code as inline SVG, drawn by Debian's qrencode (the secret goes in on stdin, never in argv). */
    public static function qr_svg(string $text): string
    {
        $proc = proc_open(['qrencode', '--type=SVG', '--inline', '--size=4', '--output=-'], [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        if (!is_resource($proc)) {
            return '';
        }
        fwrite($pipes[0], $text);
        fclose($pipes[0]);
        $svg = stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        proc_close($proc);
        // Only the <svg> element itself (qrencode writes a comment before it).
        return preg_match('/<svg\b.*<\/svg>/s', (string) $svg, $m) ? $m[0] : '';
    }
}
