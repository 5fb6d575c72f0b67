package dev.mmalign.operator; final class Placeholder {}
