<?php
// mailfort: app passwords, in the webmail's settings. With mailfort:auth.appPasswords on, the
// mailbox password opens only this webmail (from localhost, behind the second factor); mail apps
// on phones and computers sign in to IMAP, POP3 and SMTP with an app password made here: one per
// device, named, shown once, stored only as a hash, listed with its last use, revocable.

require_once __DIR__ . '/app_password_store.php';

class mailfort_app_passwords extends rcube_plugin
{
    public $task = 'settings';
    private $rc;
    /** A new password to show once, or an error, for the page being built. */
    private $created = null;
    private $error = null;

    public function init()
    {
        $this->rc = rcmail::get_instance();
        $this->add_hook('settings_actions', [$this, 'settings_actions']);
        $this->register_action('plugin.mailfort-app-passwords', [$this, 'show']);
        $this->register_action('plugin.mailfort-app-passwords-create', [$this, 'create']);
        $this->register_action('plugin.mailfort-app-passwords-revoke', [$this, 'revoke']);
    }

    public function settings_actions($args)
    {
        $args['actions'][] = ['action' => 'plugin.mailfort-app-passwords', 'class' => 'password', 'label' => 'mailfort_app_passwords.title',
            'domain' => 'mailfort_app_passwords', 'title' => 'mailfort_app_passwords.title', 'id' => 'mailfort-app-passwords'];
        $this->add_texts('localization/');
        return $args;
    }

    private function store(): mailfort_app_password_store
    {
        return new mailfort_app_password_store($this->rc->config->get('mailfort_app_password_dir'), strtolower($this->rc->get_user_name()));
    }

    public function create()
    {
        if ($this->rc->check_request(rcube_utils::INPUT_POST)) {
            try {
                $this->created = $this->store()->create((string) rcube_utils::get_input_string('_name', rcube_utils::INPUT_POST));
            } catch (Exception $e) {
                $this->error = $e->getMessage();
            }
        }
        $this->show();
    }

    public function revoke()
    {
        if ($this->rc->check_request(rcube_utils::INPUT_POST)) {
            $this->store()->revoke((string) rcube_utils::get_input_string('_id', rcube_utils::INPUT_POST));
        }
        $this->show();
    }

    public function show()
    {
        $this->add_texts('localization/');
        $this->register_handler('plugin.body', [$this, 'body']);
        $this->rc->output->set_pagetitle('App passwords');
        $this->rc->output->send('plugin');
    }

    public function body(): string
    {
        $q = 'rcube::Q';
        $token = html::tag('input', ['type' => 'hidden', 'name' => '_token', 'value' => $this->rc->get_request_token()]);
        $url = fn($action) => $this->rc->url(['_task' => 'settings', '_action' => $action]);
        $date = fn($t) => $t === null ? 'never' : $this->rc->format_date($t);
        $out = html::p(null, $q('Mail apps (phones, Thunderbird, Outlook) sign in with an app password, never with your account password. Make one per device; revoke it when the device is lost or retired.'));
        if ($this->created !== null) {
            $out .= html::div(['class' => 'alert alert-success', 'role' => 'alert'], $q('Your new app password (shown only now): ')
                . html::tag('code', ['id' => 'mailfort-app-password-new'], $q($this->created)));
        }
        if ($this->error !== null) {
            $out .= html::div(['class' => 'alert alert-danger', 'role' => 'alert', 'id' => 'mailfort-app-password-error'], $q($this->error));
        }
        $rows = '';
        foreach ($this->store()->all() as $id => $p) {
            $revoke = html::tag('form', ['method' => 'post', 'action' => $url('plugin.mailfort-app-passwords-revoke')],
                $token . html::tag('input', ['type' => 'hidden', 'name' => '_id', 'value' => $id])
                . html::tag('button', ['type' => 'submit', 'class' => 'button delete', 'data-id' => $id], $q('Revoke')));
            $rows .= html::tag('tr', ['data-id' => $id], html::tag('td', ['class' => 'name'], $q($p['name'])) . html::tag('td', null, $q($date($p['created'])))
                . html::tag('td', ['class' => 'last-used'], $q($date($p['last_used']))) . html::tag('td', null, $revoke));
        }
        $out .= html::tag('table', ['class' => 'records-table', 'id' => 'mailfort-app-passwords-list'],
            html::tag('thead', null, html::tag('tr', null, html::tag('th', null, $q('Device')) . html::tag('th', null, $q('Created')) . html::tag('th', null, $q('Last used')) . html::tag('th', null, '')))
            . html::tag('tbody', null, $rows));
        $out .= html::tag('form', ['method' => 'post', 'action' => $url('plugin.mailfort-app-passwords-create'), 'id' => 'mailfort-app-password-create'],
            $token . html::label(['for' => 'mailfort-app-password-name'], $q('New app password for device'))
            . html::tag('input', ['type' => 'text', 'name' => '_name', 'id' => 'mailfort-app-password-name', 'class' => 'form-control', 'maxlength' => mailfort_app_password_store::NAME_MAX, 'required' => 'required'])
            . html::tag('button', ['type' => 'submit', 'class' => 'button mainaction'], $q('Create')));
        return html::div(['class' => 'formcontent', 'id' => 'mailfort-app-passwords'], $out);
    }
}
