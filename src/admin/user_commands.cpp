// user_commands.cpp - `hermod user add|passwd|quota|list|show|del`: mail accounts.
//
// Security: passwords are read from stdin or a no-echo prompt (password_input.hpp), never from
// argv, hashed with Argon2id, and wiped from memory once hashed.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "admin/admin_cli.hpp"
#include "admin/admin_ops.hpp"
#include "admin/commands.hpp"
#include "admin/password_input.hpp"

namespace hermod::admin {

namespace {

// Runs `use` with a freshly read password and wipes it afterwards, also on errors.
template <typename F>
void with_new_password(F&& use) {
    std::string password = read_new_password();
    try {
        use(password);
    } catch (...) {
        wipe(password);
        throw;
    }
    wipe(password);
}

}  // namespace

void register_user_commands(CLI::App& app, const config::GlobalOptions& options) {
    auto* cmd = app.add_subcommand("user", "manage mail accounts");
    cmd->require_subcommand(1);
    cmd->fallthrough();

    struct AddArgs {
        std::string address;
        std::string quota = "0";
    };
    auto add_args = std::make_shared<AddArgs>();
    auto* add = cmd->add_subcommand("add",
                                    "add an account; the password is read from stdin, or "
                                    "prompted for on a terminal")
                    ->fallthrough();
    add->add_option("ADDRESS", add_args->address, "e-mail address, e.g. alice@example.org")
        ->required();
    add->add_option("--quota", add_args->quota,
                    "mailbox quota in bytes (K/M/G/T suffixes allowed; 0 = unlimited)");
    add->callback([&options, add_args] {
        std::int64_t quota = parse_quota(add_args->quota);
        auto store = open_admin_store(options);
        // Refuse a bad address before asking for a password.
        check_new_user(*store, add_args->address);
        with_new_password([&](const std::string& password) {
            auto account = add_user(*store, add_args->address, password, quota);
            std::printf("added user %s\n", account.address.c_str());
        });
    });

    auto passwd_address = std::make_shared<std::string>();
    auto* passwd = cmd->add_subcommand("passwd",
                                       "change an account's password (stdin, or prompted for "
                                       "on a terminal)")
                       ->fallthrough();
    passwd->add_option("ADDRESS", *passwd_address, "e-mail address")->required();
    passwd->callback([&options, passwd_address] {
        auto store = open_admin_store(options);
        require_user(*store, *passwd_address);
        with_new_password([&](const std::string& password) {
            std::string address = set_password(*store, *passwd_address, password);
            std::printf("changed password of %s\n", address.c_str());
        });
    });

    struct QuotaArgs {
        std::string address;
        std::string quota;
    };
    auto quota_args = std::make_shared<QuotaArgs>();
    auto* quota = cmd->add_subcommand("quota", "set an account's quota")->fallthrough();
    quota->add_option("ADDRESS", quota_args->address, "e-mail address")->required();
    quota
        ->add_option("BYTES", quota_args->quota,
                     "quota in bytes (K/M/G/T suffixes allowed; 0 or unlimited = no limit)")
        ->required();
    quota->callback([&options, quota_args] {
        std::int64_t bytes = parse_quota(quota_args->quota);
        auto store = open_admin_store(options);
        std::string address = set_quota(*store, quota_args->address, bytes);
        std::printf("set quota of %s to %s\n", address.c_str(),
                    bytes == 0 ? "unlimited" : (std::to_string(bytes) + " bytes").c_str());
    });

    auto list_domain = std::make_shared<std::string>();
    auto* list = cmd->add_subcommand("list", "list accounts, one address per line")->fallthrough();
    list->add_option("DOMAIN", *list_domain, "only the accounts of this domain");
    list->callback([&options, list_domain] {
        auto store = open_admin_store(options);
        for (const auto& address : list_users(*store, *list_domain))
            std::printf("%s\n", address.c_str());
    });

    auto show_address = std::make_shared<std::string>();
    auto* show =
        cmd->add_subcommand("show", "show an account: creation, quota, mailboxes")->fallthrough();
    show->add_option("ADDRESS", *show_address, "e-mail address")->required();
    show->callback([&options, show_address] {
        auto store = open_admin_store(options);
        std::printf("%s\n", format_user_info(show_user(*store, *show_address)).c_str());
    });

    auto del_address = std::make_shared<std::string>();
    auto* del = cmd->add_subcommand("del", "delete an account with all its mail")->fallthrough();
    del->add_option("ADDRESS", *del_address, "e-mail address")->required();
    del->callback([&options, del_address] {
        auto store = open_admin_store(options);
        std::printf("deleted user %s\n", delete_user(*store, *del_address).c_str());
    });
}

}  // namespace hermod::admin
