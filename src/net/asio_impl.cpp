// asio_impl.cpp - the one translation unit holding Asio's separately compiled parts.
//
// BOOST_ASIO_SEPARATE_COMPILATION (set on hermod_asio) keeps every other file from
// instantiating Asio's non-template internals, which saves compile time on every net file.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
