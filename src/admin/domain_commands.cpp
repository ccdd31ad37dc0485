// domain_commands.cpp - `hermod domain add|list|del`: the domains Hermod accepts mail for.
// Thin CLI wrappers; the checks live in admin_ops.cpp.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "admin/admin_cli.hpp"
#include "admin/admin_ops.hpp"
#include "admin/commands.hpp"

namespace hermod::admin {

void register_domain_commands(CLI::App& app, const config::GlobalOptions& options) {
    auto* cmd = app.add_subcommand("domain", "manage local domains");
    cmd->require_subcommand(1);
    cmd->fallthrough();

    auto* add = cmd->add_subcommand("add", "add a local domain")->fallthrough();
    auto add_name = std::make_shared<std::string>();
    add->add_option("NAME", *add_name, "domain name, e.g. example.org")->required();
    add->callback([&options, add_name] {
        auto store = open_admin_store(options);
        auto d = add_domain(*store, *add_name);
        std::printf("added domain %s\n", d.name.c_str());
    });

    auto* list = cmd->add_subcommand("list", "list local domains, one per line")->fallthrough();
    list->callback([&options] {
        auto store = open_admin_store(options);
        for (const auto& name : list_domains(*store))
            std::printf("%s\n", name.c_str());
    });

    auto* del = cmd->add_subcommand("del", "delete a domain that has no users or aliases left")
                    ->fallthrough();
    auto del_name = std::make_shared<std::string>();
    del->add_option("NAME", *del_name, "domain name")->required();
    del->callback([&options, del_name] {
        auto store = open_admin_store(options);
        std::printf("deleted domain %s\n", delete_domain(*store, *del_name).c_str());
    });
}

}  // namespace hermod::admin
