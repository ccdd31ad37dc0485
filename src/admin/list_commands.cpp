// list_commands.cpp - `hermod list add|del|list|members|subscribe|unsubscribe`: mailing lists
// (RFC 5321 §3.9.2: mail to the list address is delivered to every member; members may be
// local or remote and are expanded further at delivery).
//
// Same conventions as the other admin commands: checks first, one clear error line
// ("hermod: ..."), non-zero exit. A list address must be in a local domain and must not be an
// account or an alias source: accounts and aliases resolve before lists (delivery/resolver.hpp),
// so such a list would never receive mail.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_cli.hpp"
#include "admin/admin_ops.hpp"
#include "admin/commands.hpp"
#include "common/address.hpp"

namespace hermod::admin {

namespace {

std::string parse_or_throw(std::string_view text, const char* what) {
    auto address = parse_address(text);
    if (!address) throw AdminError(std::string("invalid ") + what + ": " + std::string(text));
    return address->str();
}

/// The normalised address of an existing list.
std::string require_list(store::Store& store, std::string_view text) {
    std::string address = parse_or_throw(text, "list address");
    if (!store.find_list(address)) throw AdminError("no such list: " + address);
    return address;
}

std::string add_list(store::Store& store, std::string_view text) {
    std::string address = parse_or_throw(text, "list address");
    std::string domain = address.substr(address.rfind('@') + 1);
    if (!store.find_domain(domain)) throw AdminError("no such domain: " + domain);
    if (store.find_list(address)) throw AdminError("list already exists: " + address);
    if (store.find_account(address)) throw AdminError("address is a user: " + address);
    if (!store.list_aliases(address).empty()) throw AdminError("address is an alias: " + address);
    return store.add_list(address).address;
}

}  // namespace

void register_list_commands(CLI::App& app, const config::GlobalOptions& options) {
    auto* cmd = app.add_subcommand("list", "manage mailing lists");
    cmd->require_subcommand(1);
    cmd->fallthrough();

    auto add_address = std::make_shared<std::string>();
    auto* add = cmd->add_subcommand("add", "create an empty mailing list")->fallthrough();
    add->add_option("ADDRESS", *add_address,
                    "list address, e.g. team@example.org; its domain must be local")
        ->required();
    add->callback([&options, add_address] {
        auto store = open_admin_store(options);
        std::printf("added list %s\n", add_list(*store, *add_address).c_str());
    });

    auto del_address = std::make_shared<std::string>();
    auto* del = cmd->add_subcommand("del", "delete a mailing list and its members")->fallthrough();
    del->add_option("ADDRESS", *del_address, "list address")->required();
    del->callback([&options, del_address] {
        auto store = open_admin_store(options);
        std::string address = require_list(*store, *del_address);
        store->delete_list(address);
        std::printf("deleted list %s\n", address.c_str());
    });

    auto list_domain = std::make_shared<std::string>();
    auto* list =
        cmd->add_subcommand("list", "list mailing lists, one address per line")->fallthrough();
    list->add_option("DOMAIN", *list_domain, "only the lists of this domain");
    list->callback([&options, list_domain] {
        auto store = open_admin_store(options);
        std::string domain;
        if (!list_domain->empty()) {
            if (!is_valid_domain(*list_domain))
                throw AdminError("invalid domain name: " + *list_domain);
            domain = ascii_lower(*list_domain);
            if (!domain.empty() && domain.back() == '.') domain.pop_back();
            if (!store->find_domain(domain)) throw AdminError("no such domain: " + domain);
        }
        for (const auto& l : store->list_lists(domain))
            std::printf("%s\n", l.address.c_str());
    });

    auto members_address = std::make_shared<std::string>();
    auto* members = cmd->add_subcommand("members", "list a mailing list's members, one per line")
                        ->fallthrough();
    members->add_option("ADDRESS", *members_address, "list address")->required();
    members->callback([&options, members_address] {
        auto store = open_admin_store(options);
        std::string address = require_list(*store, *members_address);
        for (const auto& m : store->list_members(address))
            std::printf("%s\n", m.c_str());
    });

    struct MemberArgs {
        std::string list;
        std::string member;
    };
    auto sub_args = std::make_shared<MemberArgs>();
    auto* sub = cmd->add_subcommand("subscribe", "add MEMBER to a mailing list")->fallthrough();
    sub->add_option("LIST", sub_args->list, "list address")->required();
    sub->add_option("MEMBER", sub_args->member, "any address, local or remote")->required();
    sub->callback([&options, sub_args] {
        auto store = open_admin_store(options);
        std::string address = require_list(*store, sub_args->list);
        std::string member = parse_or_throw(sub_args->member, "member address");
        if (member == address) throw AdminError("a list cannot be its own member: " + address);
        for (const auto& m : store->list_members(address))
            if (m == member) throw AdminError("already a member of " + address + ": " + member);
        store->subscribe(address, member);
        std::printf("subscribed %s to %s\n", member.c_str(), address.c_str());
    });

    auto unsub_args = std::make_shared<MemberArgs>();
    auto* unsub =
        cmd->add_subcommand("unsubscribe", "remove MEMBER from a mailing list")->fallthrough();
    unsub->add_option("LIST", unsub_args->list, "list address")->required();
    unsub->add_option("MEMBER", unsub_args->member, "the member to remove")->required();
    unsub->callback([&options, unsub_args] {
        auto store = open_admin_store(options);
        std::string address = require_list(*store, unsub_args->list);
        std::string member = parse_or_throw(unsub_args->member, "member address");
        bool found = false;
        for (const auto& m : store->list_members(address))
            found = found || m == member;
        if (!found) throw AdminError("not a member of " + address + ": " + member);
        store->unsubscribe(address, member);
        std::printf("unsubscribed %s from %s\n", member.c_str(), address.c_str());
    });
}

}  // namespace hermod::admin
